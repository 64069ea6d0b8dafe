/**
 * Per-account generation slots, shared by everyone who uses the store (one process now; every
 * gateway instance once a Redis implementation binds here). Nothing in it may rely on living in
 * this process: a slot is a lease id with a lifetime, kept alive by its holder's heartbeats and
 * freed on release or expiry.
 */
export abstract class AccountLockStore {
  /** Takes one of `limit` slots of the account for `ttlMs`; resolves its lease id, or null when all are held. */
  abstract tryAcquire(accountId: string, limit: number, ttlMs: number): Promise<string | null>;

  /** Extends a held slot; false when it had already expired (someone else may hold it now). */
  abstract renew(accountId: string, leaseId: string, ttlMs: number): Promise<boolean>;

  /** Frees a slot; releasing an unknown or expired lease id is a no-op. */
  abstract release(accountId: string, leaseId: string): Promise<void>;

  /**
   * Calls `listener` whenever a slot of some account is freed, by this process or (for a shared
   * store) another one, so waiters can try again. Returns the unsubscribe function.
   */
  abstract onRelease(listener: (accountId: string) => void): () => void;
}
