import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountLockStore } from './account-lock.store';

/** Lease id → expiry (ms since epoch), per account. Expired leases are dropped when the account is next touched. */
type Slots = Map<string, number>;

@Injectable()
export class InMemoryAccountLockStore extends AccountLockStore {
  private readonly slots = new Map<string, Slots>();
  private readonly listeners = new Set<(accountId: string) => void>();

  tryAcquire(accountId: string, limit: number, ttlMs: number): Promise<string | null> {
    const now = Date.now();
    const held = this.liveSlots(accountId, now);
    if (held.size >= limit) return Promise.resolve(null);
    const leaseId = randomUUID();
    held.set(leaseId, now + ttlMs);
    this.slots.set(accountId, held);
    return Promise.resolve(leaseId);
  }

  renew(accountId: string, leaseId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.liveSlots(accountId, now);
    if (!held.has(leaseId)) return Promise.resolve(false);
    held.set(leaseId, now + ttlMs);
    return Promise.resolve(true);
  }

  release(accountId: string, leaseId: string): Promise<void> {
    const held = this.slots.get(accountId);
    if (held?.delete(leaseId)) {
      if (held.size === 0) this.slots.delete(accountId);
      for (const listener of this.listeners) listener(accountId);
    }
    return Promise.resolve();
  }

  onRelease(listener: (accountId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private liveSlots(accountId: string, now: number): Slots {
    const held = this.slots.get(accountId) ?? new Map<string, number>();
    for (const [leaseId, expiresAt] of held) if (expiresAt <= now) held.delete(leaseId);
    if (held.size === 0) this.slots.delete(accountId);
    return held;
  }
}
