import { Logger } from '@nestjs/common';
import { abortError } from '../../common/lifecycle/abort';
import type { Account } from './account';
import { AccountCondition, AccountHealthService } from './account-health.service';
import { AccountLockStore } from './account-lock.store';
import { allBusyError, LeaseScope, lockStoreError, queueFullError, unusableAccountsError } from './pool-errors';

export interface SlotGrant {
  readonly account: Account;
  readonly leaseId: string;
}

export interface SlotRequest {
  /** FIFO position; a request that comes back after a failed token check keeps its place. */
  readonly seq: number;
  readonly candidates: readonly Account[];
  readonly scope: LeaseScope;
  readonly startedAt: number;
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** Already admitted once, so the queue bound does not apply again. */
  readonly returning: boolean;
}

export interface SlotLimits {
  readonly maxInflight: number;
  readonly leaseTtlMs: number;
  readonly queueMaxLength: number;
}

interface Waiter {
  readonly request: SlotRequest;
  readonly resolve: (grant: SlotGrant) => void;
  readonly reject: (error: Error) => void;
  readonly onAbort: () => void;
  done: boolean;
  /** Tried once and found nothing free: now counts against the queue bound and has a deadline timer. */
  parked: boolean;
  /** The candidate set's identity: waiters of one set blocked in a pass need not be checked again in it. */
  readonly candidateKey: string;
  timer?: NodeJS.Timeout;
}

/**
 * Hands out account slots from the lock store in FIFO order. Waiters are served in passes over the
 * queue (one pass at a time; a release, a health change or a cooldown end starts another). Within a
 * pass an account an earlier waiter could not get is off limits to later ones, so a slot freed
 * mid-pass still goes to the first waiter that wanted it. Waiters whose accounts differ never block
 * each other.
 */
export class SlotDispatcher {
  private readonly logger = new Logger(SlotDispatcher.name);
  private readonly waiters: Waiter[] = [];
  private parkedCount = 0;
  private draining = false;
  private drainAgain = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: AccountLockStore,
    private readonly health: AccountHealthService,
    private readonly limits: SlotLimits,
  ) {}

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(request: SlotRequest): Promise<SlotGrant> {
    if (request.signal?.aborted) return Promise.reject(abortError());
    return new Promise<SlotGrant>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        resolve,
        reject,
        onAbort: () => this.finish(waiter, abortError()),
        done: false,
        parked: false,
        candidateKey: request.candidates.map((account) => account.id).join(','),
      };
      request.signal?.addEventListener('abort', waiter.onAbort, { once: true });
      let index = this.waiters.length;
      while (index > 0 && this.waiters[index - 1].request.seq > request.seq) index--;
      this.waiters.splice(index, 0, waiter);
      this.wake();
    });
  }

  /** Starts a pass, or asks the running one for another: something may have become free. */
  wake(): void {
    if (this.waiters.length === 0) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void this.drain();
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.waiters]) this.finish(waiter, error);
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.drainAgain = false;
        await this.pass();
      } while (this.drainAgain);
    } catch (error) {
      this.logger.error('dispatch pass failed', error instanceof Error ? error.stack : String(error));
    } finally {
      this.draining = false;
    }
  }

  private async pass(): Promise<void> {
    const unavailable = new Set<string>();
    // A burst queues many requests for the same accounts: once one of them is parked in this pass, the
    // rest of its set are too, without looking at every account again (that made a pass O(waiters × accounts)).
    const blockedSets = new Set<string>();
    let nextChange = Number.POSITIVE_INFINITY;
    for (const waiter of [...this.waiters]) {
      if (waiter.done) continue;
      if (blockedSets.has(waiter.candidateKey)) {
        this.park(waiter, () => this.conditionsOf(waiter));
        continue;
      }
      const { candidates, scope } = waiter.request;
      const now = Date.now();
      const conditions = candidates.map((account) => this.health.condition(account.id, now));
      const unusable = unusableAccountsError(conditions, scope, now);
      if (unusable) {
        this.finish(waiter, unusable);
        continue;
      }
      const open = candidates
        .filter((account, i) => conditions[i].kind === 'ready' && !unavailable.has(account.id))
        .sort((a, b) => this.health.lastUsed(a.id) - this.health.lastUsed(b.id));
      try {
        if (await this.tryTake(waiter, open, unavailable)) continue;
      } catch (error) {
        this.logger.error(`lock store failed: ${error instanceof Error ? error.message : String(error)}`);
        this.finish(waiter, lockStoreError());
        continue;
      }
      candidates.forEach((account, i) => {
        unavailable.add(account.id);
        const condition = conditions[i];
        if (condition.kind !== 'ready') nextChange = Math.min(nextChange, condition.until);
      });
      blockedSets.add(waiter.candidateKey);
      this.park(waiter, () => conditions);
    }
    this.scheduleWake(nextChange);
  }

  /** True when the waiter no longer needs a slot (granted now, or gone meanwhile). */
  private async tryTake(waiter: Waiter, open: readonly Account[], unavailable: Set<string>): Promise<boolean> {
    for (const account of open) {
      if (waiter.done) return true;
      const leaseId = await this.store.tryAcquire(account.id, this.limits.maxInflight, this.limits.leaseTtlMs);
      if (leaseId === null) {
        unavailable.add(account.id);
        continue;
      }
      if (waiter.done) {
        await this.store.release(account.id, leaseId);
        return true;
      }
      this.health.markUsed(account.id);
      this.finish(waiter, undefined, { account, leaseId });
      return true;
    }
    return false;
  }

  private park(waiter: Waiter, conditions: () => readonly AccountCondition[]): void {
    const now = Date.now();
    if (now >= waiter.request.deadline) {
      this.finish(waiter, this.timeoutError(waiter, conditions(), now));
      return;
    }
    if (waiter.parked) return;
    if (!waiter.request.returning && this.parkedCount >= this.limits.queueMaxLength) {
      this.finish(waiter, queueFullError(this.parkedCount));
      return;
    }
    waiter.parked = true;
    this.parkedCount++;
    waiter.timer = setTimeout(() => {
      this.finish(waiter, this.timeoutError(waiter, this.conditionsOf(waiter), Date.now()));
    }, waiter.request.deadline - now);
    waiter.timer.unref();
  }

  private conditionsOf(waiter: Waiter, now = Date.now()): AccountCondition[] {
    return waiter.request.candidates.map((account) => this.health.condition(account.id, now));
  }

  private timeoutError(waiter: Waiter, conditions: readonly AccountCondition[], now: number): Error {
    const { scope, startedAt } = waiter.request;
    return unusableAccountsError(conditions, scope, now) ?? allBusyError(conditions, scope, now - startedAt, now);
  }

  private finish(waiter: Waiter, error: Error | undefined, grant?: SlotGrant): void {
    if (waiter.done) return;
    waiter.done = true;
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    if (waiter.parked) this.parkedCount--;
    clearTimeout(waiter.timer);
    waiter.request.signal?.removeEventListener('abort', waiter.onAbort);
    if (error) waiter.reject(error);
    else if (grant) waiter.resolve(grant);
  }

  /** A cooldown or mute ends at `time`: a waiter blocked only by it may proceed then. */
  private scheduleWake(time: number): void {
    if (time === Number.POSITIVE_INFINITY || time >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = time;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, time - Date.now()),
    );
    this.wakeTimer.unref();
  }
}
