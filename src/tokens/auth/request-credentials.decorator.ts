import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Account } from '../pool/account';

export interface RequestCredentials {
  accounts: readonly Account[];
  /** Who is calling, for what belongs to a caller (conversations): the API key's hash in managed mode, else null. */
  caller: string | null;
  /** Who the request counts against for rate limits: the API key's hash, else the address. */
  client: string;
}

// Kept beside the request rather than on it, so no request logger or serializer can reach the tokens.
const credentialsByRequest = new WeakMap<object, RequestCredentials>();

export function attachRequestCredentials(request: object, credentials: RequestCredentials): void {
  credentialsByRequest.set(request, credentials);
}

function credentialsOf(context: ExecutionContext, decorator: string): RequestCredentials {
  const credentials = credentialsByRequest.get(context.switchToHttp().getRequest<object>());
  if (!credentials) throw new Error(`${decorator} used on a route without AccountsGuard`);
  return credentials;
}

/**
 * The accounts `AccountsGuard` resolved for this request:
 * `@UseGuards(AccountsGuard)` on the route, then `@RequestAccounts() accounts: readonly Account[]`.
 */
export const RequestAccounts = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => credentialsOf(context, '@RequestAccounts()').accounts,
);

/** Accounts, caller and client as `AccountsGuard` resolved them: `@RequestCredentials() credentials`. */
export const RequestCredentialsOf = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  credentialsOf(context, '@RequestCredentialsOf()'),
);
