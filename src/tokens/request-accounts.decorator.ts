import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Account } from './account';

// Kept beside the request rather than on it, so no request logger or serializer can reach the tokens.
const accountsByRequest = new WeakMap<object, readonly Account[]>();

export function attachRequestAccounts(request: object, accounts: readonly Account[]): void {
  accountsByRequest.set(request, accounts);
}

export function requestAccountsOf(request: object): readonly Account[] | undefined {
  return accountsByRequest.get(request);
}

/**
 * The accounts `AccountsGuard` resolved for this request:
 * `@UseGuards(AccountsGuard)` on the route, then `@RequestAccounts() accounts: readonly Account[]`.
 */
export const RequestAccounts = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const accounts = requestAccountsOf(context.switchToHttp().getRequest<object>());
  if (!accounts) throw new Error('@RequestAccounts() used on a route without AccountsGuard');
  return accounts;
});
