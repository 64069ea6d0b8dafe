import { InMemoryAccountLockStore } from '../../../src/tokens/pool/in-memory-account-lock.store';

/** The in-memory lock store, counting how often each lock it granted was given back. */
export class RecordingLockStore extends InMemoryAccountLockStore {
  private readonly releases = new Map<string, number>();

  override async tryAcquire(accountId: string, limit: number, ttlMs: number): Promise<string | null> {
    const leaseId = await super.tryAcquire(accountId, limit, ttlMs);
    if (leaseId !== null) this.releases.set(leaseId, 0);
    return leaseId;
  }

  override release(accountId: string, leaseId: string): Promise<void> {
    this.releases.set(leaseId, (this.releases.get(leaseId) ?? 0) + 1);
    return super.release(accountId, leaseId);
  }

  /** How many times each granted lock was released, in grant order: all ones when every lease ended once. */
  releaseCounts(): number[] {
    return [...this.releases.values()];
  }
}
