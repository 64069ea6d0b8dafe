import { Logger } from '@nestjs/common';
import { abortError } from '../../common/lifecycle/abort';
import type { Account } from './account';
import { AccountCondition, AccountHealthService } from './account-health.service';
import { AccountLockStore } from './account-lock.store';
import type { PeerQueues } from './peer-queues';
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

/** How long a free account is kept from this replica's waiter for an older one on another replica. */
export const PEER_HANDOFF_MS = 250;

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
 *
 * With other replicas (PeerQueues), a waiter defers to an older waiter of another replica that wants the
 * same accounts, for up to PEER_HANDOFF_MS per such waiter: the replica that frees an account hears of
 * it first, and would otherwise keep serving its own queue while the others' wait.
 */
export class SlotDispatcher {
  private readonly logger = new Logger(SlotDispatcher.name);
  private readonly waiters: Waiter[] = [];
  private parkedCount = 0;
  private draining = false;
  private drainAgain = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Number.POSITIVE_INFINITY;
  /** Per candidate set: the other replica's waiter we are letting go first, and until when. */
  private readonly handoffs = new Map<string, { startedAt: number; until: number }>();
  private reportPending = false;

  constructor(
    private readonly store: AccountLockStore,
    private readonly health: AccountHealthService,
    private readonly limits: SlotLimits,
    private readonly peers: PeerQueues | null = null,
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
        const outcome = await this.tryTake(waiter, open, unavailable);
        if (outcome === 'served') continue;
        if (outcome !== 'blocked') {
          // Left for an older waiter of another replica: this one (and its set) waits for the handoff.
          nextChange = Math.min(nextChange, outcome.handedOffUntil);
          blockedSets.add(waiter.candidateKey);
          this.park(waiter, () => conditions);
          continue;
        }
      } catch (error) {
        this.logger.error(`lock store failed: ${error instanceof Error ? error.message : String(error)}`);
        this.finish(waiter, lockStoreError());
        continue;
      }
      // Read again: a refused quota claim changed what the accounts wait for.
      const later = Date.now();
      const blocked = candidates.map((account) => this.health.condition(account.id, later));
      candidates.forEach((account, i) => {
        unavailable.add(account.id);
        const condition = blocked[i];
        if (condition.kind !== 'ready') nextChange = Math.min(nextChange, condition.until);
      });
      blockedSets.add(waiter.candidateKey);
      this.park(waiter, () => blocked);
    }
    this.scheduleWake(nextChange);
    this.reportQueue();
  }

  /** While this replica lets an older waiter of another replica take an account first: until when (else 0). */
  private runningHandoff(waiter: Waiter, now: number): number {
    const older = this.peers?.olderElsewhere(waiter.candidateKey, waiter.request.startedAt, now);
    const handoff = this.handoffs.get(waiter.candidateKey);
    if (older === undefined || handoff?.startedAt !== older) return 0;
    return handoff.until > now ? handoff.until : 0;
  }

  /**
   * Whether to give up a slot just taken for this waiter, so that an older waiter of another replica
   * gets it: once per such waiter, for PEER_HANDOFF_MS (its replica may be slow to hear, or unable to
   * use the account: it must not stall this one). Returns the end of the handoff, or 0 to keep the slot.
   */
  private handOff(waiter: Waiter): number {
    const now = Date.now();
    const older = this.peers?.olderElsewhere(waiter.candidateKey, waiter.request.startedAt, now);
    if (older === undefined) return 0;
    if (this.handoffs.get(waiter.candidateKey)?.startedAt === older) return 0; // handed off once already
    const until = now + PEER_HANDOFF_MS;
    this.handoffs.set(waiter.candidateKey, { startedAt: older, until });
    return until;
  }

  /** Tells the other replicas when this one's oldest waiter per candidate set started (once per turn). */
  private reportQueue(): void {
    if (!this.peers || this.reportPending) return;
    this.reportPending = true;
    setImmediate(() => {
      this.reportPending = false;
      const oldest = new Map<string, number>();
      for (const { done, candidateKey, request } of this.waiters) {
        if (done) continue;
        const known = oldest.get(candidateKey);
        if (known === undefined || request.startedAt < known) oldest.set(candidateKey, request.startedAt);
      }
      this.peers?.report(oldest);
    });
  }

  /**
   * `served` when the waiter no longer needs a slot (granted now, or gone meanwhile); `blocked` when no
   * account was free; a handoff when one was, and was left for an older waiter of another replica.
   */
  private async tryTake(
    waiter: Waiter,
    open: readonly Account[],
    unavailable: Set<string>,
  ): Promise<'served' | 'blocked' | { handedOffUntil: number }> {
    const running = open.length > 0 ? this.runningHandoff(waiter, Date.now()) : 0;
    if (running > 0) return { handedOffUntil: running };
    for (const account of open) {
      if (waiter.done) return 'served';
      const leaseId = await this.store.tryAcquire(account.id, this.limits.maxInflight, this.limits.leaseTtlMs);
      if (leaseId === null) {
        unavailable.add(account.id);
        continue;
      }
      const handedOffUntil = waiter.done ? 0 : this.handOff(waiter);
      if (handedOffUntil > 0) {
        // Released through the store, so the other replica hears at once that the account is free.
        await this.store.release(account.id, leaseId);
        return { handedOffUntil };
      }
      // Another replica may have used the account's quota up since its condition was read.
      const started = !waiter.done && (await this.health.claimStart(account.id));
      if (!started || waiter.done) {
        await this.store.release(account.id, leaseId);
        if (waiter.done) return 'served';
        unavailable.add(account.id);
        continue;
      }
      this.finish(waiter, undefined, { account, leaseId });
      return 'served';
    }
    return 'blocked';
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
    this.reportQueue();
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
