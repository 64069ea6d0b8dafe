import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { abortReason } from '../common/lifecycle/abort';
import type { ApiKeySetting } from '../config/api-keys';
import { accountIdOf } from '../tokens/pool/account';

/**
 * `ready`: in rotation; `cooling`: a 429 until `until`; `invalid`: the API rejected the key (401), until
 * an operator enables it again; `no_balance`: 402 Insufficient Balance, likewise.
 */
export type ApiKeyState = 'ready' | 'cooling' | 'invalid' | 'no_balance';

/** One key as an operator sees it: never the key itself. */
export interface ApiKeyView {
  /** The first 12 hex characters of the key's SHA-256, as for account tokens. */
  id: string;
  state: ApiKeyState;
  until: number | null;
  inflight: number;
  concurrency: number;
  /** Answers this key started since the process started. */
  requests: number;
  lastError: { kind: string; at: number } | null;
}

/** A key held by one request; `release()` gives its slot back (idempotent). */
export interface ApiKeyLease {
  readonly id: string;
  readonly key: string;
  release(): void;
}

interface KeySlot {
  id: string;
  key: string;
  concurrency: number;
  inflight: number;
  state: ApiKeyState;
  until: number;
  requests: number;
  lastError: { kind: string; at: number } | null;
}

interface Waiter {
  exclude: ReadonlySet<string>;
  grant: (slot: KeySlot) => void;
  fail: (error: ApiError) => void;
}

/**
 * The official API's keys: each runs up to its concurrency at once (the one-generation rule is the web
 * accounts'). A request takes the ready key with the fewest requests in flight; while every usable key is
 * full or cooling it waits, first come first served, until its deadline. Keys the API refused (401, 402)
 * leave rotation until `enable()`.
 */
export class ApiKeyPool {
  private readonly slots: KeySlot[];
  private readonly waiters: Waiter[] = [];
  private wakeTimer: NodeJS.Timeout | null = null;

  constructor(settings: readonly ApiKeySetting[]) {
    this.slots = settings.map(({ key, concurrency }) => ({
      id: accountIdOf(key),
      key,
      concurrency,
      inflight: 0,
      state: 'ready',
      until: 0,
      requests: 0,
      lastError: null,
    }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Requests waiting for a key. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * A key for one request, skipping `exclude` (keys this request already tried). Rejects with a 503 when no
   * key can serve at all (every one refused or excluded), a 429 when none freed up within `waitMs`, or the
   * abort's reason.
   */
  lease(signal: AbortSignal, waitMs: number, exclude: ReadonlySet<string> = new Set()): Promise<ApiKeyLease> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    this.refreshCooldowns();
    const unusable = this.unusableError(exclude);
    if (unusable) return Promise.reject(unusable);
    // Waiters first (a key may have come off its cooldown); what none of them can use is free for this one.
    this.wake();
    const free = this.freeSlot(exclude);
    if (free) return Promise.resolve(this.open(free));
    // Every key rate-limited beyond the wait: say so now, with when to come back.
    if (!this.mayFreeWithin(waitMs, exclude)) return Promise.reject(this.busyError(0));
    return new Promise<ApiKeyLease>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle();
        reject(this.busyError(waitMs));
      }, waitMs);
      const onAbort = () => {
        settle();
        reject(abortReason(signal));
      };
      const waiter: Waiter = {
        exclude,
        grant: (slot) => {
          settle();
          resolve(this.open(slot));
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.scheduleCooldownWake();
    });
  }

  /** 401: the key is wrong or revoked. */
  markInvalid(id: string): void {
    this.setState(id, 'invalid', 0, 'auth');
  }

  /** 402: the account behind the key has no balance left. */
  markNoBalance(id: string): void {
    this.setState(id, 'no_balance', 0, 'insufficient_balance');
  }

  /** 429: off rotation for `ms` (the answer's `retry-after`, or a default). */
  coolDown(id: string, ms: number): void {
    this.setState(id, 'cooling', Date.now() + ms, 'rate_limited');
  }

  /** Any other failure worth showing (5xx, network): the key stays in rotation. */
  recordError(id: string, kind: string): void {
    const slot = this.slotOf(id);
    if (slot) slot.lastError = { kind, at: Date.now() };
  }

  /** The operator's action after a 401 or 402 (a new balance, a fixed key): back in rotation. False: unknown id. */
  enable(id: string): boolean {
    const slot = this.slotOf(id);
    if (!slot) return false;
    slot.state = 'ready';
    slot.until = 0;
    this.wake();
    return true;
  }

  views(): ApiKeyView[] {
    this.refreshCooldowns();
    return this.slots.map(({ id, state, until, inflight, concurrency, requests, lastError }) => ({
      id,
      state,
      until: state === 'cooling' ? until : null,
      inflight,
      concurrency,
      requests,
      lastError,
    }));
  }

  /** Counts by state, for the metrics. */
  counts(): Record<ApiKeyState, number> {
    this.refreshCooldowns();
    const counts = { ready: 0, cooling: 0, invalid: 0, no_balance: 0 };
    for (const slot of this.slots) counts[slot.state]++;
    return counts;
  }

  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private open(slot: KeySlot): ApiKeyLease {
    slot.inflight++;
    slot.requests++;
    let released = false;
    return {
      id: slot.id,
      key: slot.key,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        this.wake();
      },
    };
  }

  private setState(id: string, state: ApiKeyState, until: number, kind: string): void {
    const slot = this.slotOf(id);
    if (!slot) return;
    slot.state = state;
    slot.until = until;
    slot.lastError = { kind, at: Date.now() };
    // Waiters that can no longer be served by anything hear it now rather than at their deadline.
    this.wake();
  }

  private slotOf(id: string): KeySlot | undefined {
    return this.slots.find((slot) => slot.id === id);
  }

  /** The ready key with the fewest requests in flight, below its concurrency. */
  private freeSlot(exclude: ReadonlySet<string>): KeySlot | undefined {
    let best: KeySlot | undefined;
    for (const slot of this.slots) {
      if (slot.state !== 'ready' || slot.inflight >= slot.concurrency || exclude.has(slot.id)) continue;
      if (!best || slot.inflight / slot.concurrency < best.inflight / best.concurrency) best = slot;
    }
    return best;
  }

  /** Serves waiters in order while keys are free; tells those no key can ever serve. */
  private wake(): void {
    this.refreshCooldowns();
    for (const waiter of [...this.waiters]) {
      const free = this.freeSlot(waiter.exclude);
      if (free) {
        waiter.grant(free);
        continue;
      }
      const unusable = this.unusableError(waiter.exclude);
      if (unusable) waiter.fail(unusable);
    }
    this.scheduleCooldownWake();
  }

  private refreshCooldowns(now = Date.now()): void {
    for (const slot of this.slots) {
      if (slot.state === 'cooling' && slot.until <= now) {
        slot.state = 'ready';
        slot.until = 0;
      }
    }
  }

  /** A key not excluded is in use (it frees when an answer ends) or cools down within `ms`. */
  private mayFreeWithin(ms: number, exclude: ReadonlySet<string>, now = Date.now()): boolean {
    return this.slots.some(
      (slot) =>
        !exclude.has(slot.id) && (slot.state === 'ready' || (slot.state === 'cooling' && slot.until <= now + ms)),
    );
  }

  private busyError(waitedMs: number): ApiError {
    return ApiError.rateLimited(
      `Every official API key is busy or rate-limited (waited ${Math.round(waitedMs / 1000)} s); try again later.`,
      Math.max(1, Math.ceil(this.nextCooldownEndMs() / 1000)),
      'api_keys_busy',
    );
  }

  private nextCooldownEndMs(now = Date.now()): number {
    const ends = this.slots.filter((slot) => slot.state === 'cooling').map((slot) => slot.until - now);
    return ends.length > 0 ? Math.max(0, Math.min(...ends)) : 1000;
  }

  /** A wake at the end of the first cooldown, earlier than the one scheduled when a shorter cooldown began. */
  private scheduleCooldownWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (this.waiters.length === 0 || !this.slots.some((slot) => slot.state === 'cooling')) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wake();
    }, this.nextCooldownEndMs() + 1);
    this.wakeTimer.unref();
  }

  /** A 503 when every key not excluded is out of rotation until an operator acts (or none is left). */
  private unusableError(exclude: ReadonlySet<string>): ApiError | undefined {
    const candidates = this.slots.filter((slot) => !exclude.has(slot.id));
    if (candidates.some((slot) => slot.state === 'ready' || slot.state === 'cooling')) return undefined;
    const invalid = candidates.filter((slot) => slot.state === 'invalid').length;
    const noBalance = candidates.filter((slot) => slot.state === 'no_balance').length;
    const reasons = [
      invalid > 0 ? `${invalid} rejected by the API (401)` : '',
      noBalance > 0 ? `${noBalance} out of balance (402)` : '',
    ].filter(Boolean);
    const why = reasons.length > 0 ? `: ${reasons.join(', ')}` : ' (every key was tried)';
    return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, `No official API key can serve this request${why}.`, {
      code: 'api_keys_unavailable',
      retryAfterSec: 60,
    });
  }
}
