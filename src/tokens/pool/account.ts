import { createHash } from 'node:crypto';

/** One DeepSeek account, known everywhere outside the pool and the upstream client by `id` only. */
export interface Account {
  /** 12 hex chars of the token's SHA-256: safe for logs, metrics and error messages. */
  readonly id: string;
  /** The userToken. Never logged, never echoed to a client. */
  readonly token: string;
}

const ID_LENGTH = 12;

export function accountIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, ID_LENGTH);
}

/**
 * An Account whose `token` is non-enumerable, so `JSON.stringify`, Nest's logger and `util.inspect`
 * show only the id if an account ever ends up in a log line.
 */
export function createAccount(token: string): Account {
  const account = { id: accountIdOf(token) };
  Object.defineProperty(account, 'token', { value: token, enumerable: false });
  return Object.freeze(account) as Account;
}

/** Drops later accounts with an id already seen, keeping the caller's order. */
export function distinctAccounts(accounts: readonly Account[]): Account[] {
  const seen = new Set<string>();
  return accounts.filter((account) => !seen.has(account.id) && seen.add(account.id));
}
