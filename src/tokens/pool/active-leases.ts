import { Logger } from '@nestjs/common';
import type { Account } from './account';
import { AccountLockStore } from './account-lock.store';
import type { SlotGrant } from './slot-dispatcher';

/** A request's place in the queue: a request that comes back (its account refused) keeps its place and its deadline. */
export interface QueueTicket {
  readonly seq: number;
  readonly startedAt: number;
}

/** The right to run one generation on `account`. Release it exactly once, whatever happens; more calls are no-ops. */
export interface AccountLease {
  readonly account: Account;
  readonly ticket: QueueTicket;
  release(): void;
}

interface HeldLease extends AccountLease {
  readonly leaseId: string;
  readonly openedAt: number;
}

export interface LeaseTimings {
  readonly leaseTtlMs: number;
  readonly maxLeaseMs: number;
}

/** This process's open leases: local in-flight counts, and the heartbeat that keeps their locks alive. */
export class ActiveLeases {
  private readonly logger = new Logger(ActiveLeases.name);
  private readonly held = new Set<HeldLease>();
  private readonly perAccount = new Map<string, number>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly store: AccountLockStore,
    private readonly timings: LeaseTimings,
  ) {}

  get size(): number {
    return this.held.size;
  }

  inflight(accountId: string): number {
    return this.perAccount.get(accountId) ?? 0;
  }

  open({ account, leaseId }: SlotGrant, ticket: QueueTicket): AccountLease {
    let released = false;
    const lease: HeldLease = {
      account,
      ticket,
      leaseId,
      openedAt: Date.now(),
      release: () => {
        if (released) return;
        released = true;
        this.close(lease);
      },
    };
    this.held.add(lease);
    this.perAccount.set(account.id, this.inflight(account.id) + 1);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.beat(), Math.max(1, Math.floor(this.timings.leaseTtlMs / 3)));
      this.heartbeat.unref();
    }
    return lease;
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private close(lease: HeldLease): void {
    this.held.delete(lease);
    const id = lease.account.id;
    const left = this.inflight(id) - 1;
    if (left > 0) this.perAccount.set(id, left);
    else this.perAccount.delete(id);
    if (this.held.size === 0) this.stop();
    this.store.release(id, lease.leaseId).catch((error: unknown) => this.warn(`releasing account ${id}`, error));
  }

  private beat(): void {
    const now = Date.now();
    for (const lease of [...this.held]) {
      const id = lease.account.id;
      if (now - lease.openedAt > this.timings.maxLeaseMs) {
        this.logger.error(`account ${id}: a lease was held for over ${this.timings.maxLeaseMs} ms; releasing it`);
        lease.release();
        continue;
      }
      this.store.renew(id, lease.leaseId, this.timings.leaseTtlMs).then(
        (renewed) => renewed || this.logger.warn(`account ${id}: a lease expired before its release`),
        (error: unknown) => this.warn(`renewing the lease of account ${id}`, error),
      );
    }
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
