import type { RequestCredentials } from '../tokens/auth/request-credentials.decorator';
import type { ResponseOwner } from './store/response-store';

export function ownerOf({ caller, accounts }: RequestCredentials): ResponseOwner {
  return { caller, accountIds: accounts.map((account) => account.id) };
}

/**
 * The same API key in managed mode; in the other modes, a request holding one of the accounts that
 * made the response (who can read that account's chats on the web anyway).
 */
export function mayRead(owner: ResponseOwner, { caller, accounts }: RequestCredentials): boolean {
  if (caller !== null || owner.caller !== null) return owner.caller === caller;
  return accounts.some((account) => owner.accountIds.includes(account.id));
}
