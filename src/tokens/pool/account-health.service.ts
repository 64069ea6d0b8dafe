import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { accountIdOf } from './account';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';
import {
  AccountStateSync,
  type AccountUpdate,
  type KnownAccountState,
  type SharedAccountState,
} from './account-state-sync';

const HOUR = 3_600_000;

/** Whether an account may take a generation now, and if not, until when (`Infinity`: not in this process's life). */
export type AccountCondition =
  | { kind: 'ready' }
  /** After a busy or throttled refusal: a short backoff. */
  | { kind: 'cooling'; until: number }
  /** At the operator's quota (ACCOUNT_MAX_PER_HOUR, ACCOUNT_MIN_INTERVAL_MS). */
  | { kind: 'quota'; until: number }
  | { kind: 'muted'; until: number }
  | { kind: 'banned'; until: number }
  | { kind: 'invalid'; until: number };

/** Conditions that take an account out of rotation (as opposed to a short wait). */
export const isOutOfRotation = (condition: AccountCondition): boolean =>
  condition.kind === 'invalid' || condition.kind === 'banned' || condition.kind === 'muted';

/** What an operator may see of an account: never its token. */
export interface AccountFacts {
  condition: AccountCondition;
  /** DeepSeek suspended rather than muted it (no end given). */
  suspended: boolean;
  generationsLastHour: number;
  lastError: { kind: string; at: number } | null;
}

interface AccountRecord extends SharedAccountState {
  /** Order of the last lease, for least-recently-used picking (a counter: many leases share a millisecond). */
  lastUsed: number;
  /** When the generations of the last hour started, oldest first (every replica's, with a shared store). */
  starts: number[];
  /** The shared store was asked about this account (always true without one). */
  loaded: boolean;
  /** This replica's latest start on the account not yet restamped by `markSent` (0: none). */
  lastStart: number;
}

const READY: AccountCondition = { kind: 'ready' };

/**
 * What the pool knows about each account's health, by account id. Reads are local and synchronous; with
 * a shared store (AccountStateSync, REDIS_URL) every change is published to the other replicas and theirs
 * are applied here, and generation starts are counted across replicas (the quotas then hold for the pool,
 * not per replica). The server's own accounts (DEEPSEEK_TOKENS) are kept for good; accounts that clients
 * bring are bounded (least recently seen go first), so client traffic can never push a pool account's
 * state out.
 */
@Injectable()
export class AccountHealthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AccountHealthService.name);
  private readonly pinned = new Map<string, AccountRecord>();
  private readonly records: BoundedTtlMap<string, AccountRecord>;
  private readonly changeListeners = new Set<() => void>();
  private readonly unsubscribe: () => void = () => undefined;
  private useCounter = 0;
  private claimFailureLogged = false;

  constructor(
    @Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>,
    @Optional() @Inject(AccountStateSync) private readonly sync: AccountStateSync | null = null,
  ) {
    this.records = new BoundedTtlMap(config.maxKnownAccounts);
    for (const token of config.serverTokens) this.pinned.set(accountIdOf(token), newRecord(!sync));
    if (sync) this.unsubscribe = sync.onUpdate((accountId, update) => this.applyUpdate(accountId, update));
  }

  /** The pool accounts' state as the other replicas left it, before the first request. */
  async onModuleInit(): Promise<void> {
    await this.learn(this.poolIds());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** Calls `listener` when another replica changed an account: a waiter may be able to proceed. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Makes the accounts part of the pool's state (and its metrics); with a shared store, those this
   * replica has not seen yet are read from it first (one round trip), so a token another replica
   * checked is not checked again and a muted account is not tried.
   */
  async learn(accountIds: readonly string[]): Promise<void> {
    if (!this.sync) return; // every account is "loaded" without a shared store
    const unknown = accountIds.filter((id) => !this.record(id).loaded);
    if (unknown.length === 0) return;
    let known: Map<string, KnownAccountState>;
    try {
      known = await this.sync.load(unknown);
    } catch {
      return; // Redis is away: asked again at the next request.
    }
    for (const id of unknown) {
      const record = this.record(id);
      record.loaded = true;
      const shared = known.get(id);
      if (!shared) continue;
      if (shared.state) Object.assign(record, shared.state);
      record.starts = mergeStarts(record.starts, shared.starts);
    }
  }

  condition(accountId: string, now = Date.now()): AccountCondition {
    const record = this.peek(accountId);
    if (!record) return READY;
    if (record.invalidUntil > now) return { kind: 'invalid', until: record.invalidUntil };
    if (record.banned) return { kind: 'banned', until: Number.POSITIVE_INFINITY };
    if (record.mutedUntil > now) return { kind: 'muted', until: record.mutedUntil };
    if (record.coolUntil > now) return { kind: 'cooling', until: record.coolUntil };
    const quotaEnd = this.quotaEnd(record, now);
    if (quotaEnd > now) return { kind: 'quota', until: quotaEnd };
    return READY;
  }

  facts(accountId: string, now = Date.now()): AccountFacts {
    const record = this.peek(accountId);
    return {
      condition: this.condition(accountId, now),
      suspended: record?.suspended ?? false,
      generationsLastHour: record ? recentStarts(record, now).length : 0,
      lastError: record?.lastError ? { ...record.lastError } : null,
    };
  }

  needsValidation(accountId: string, now = Date.now()): boolean {
    return (this.peek(accountId)?.validUntil ?? 0) <= now;
  }

  lastUsed(accountId: string): number {
    return this.peek(accountId)?.lastUsed ?? 0;
  }

  /**
   * A generation is about to start on the account (its slot is held): least-recently-used order and the
   * quotas count it. With a shared store and a quota, the start is claimed atomically across replicas:
   * false when another replica's starts used the quota up meanwhile (the condition then says until when).
   */
  async claimStart(accountId: string, now = Date.now()): Promise<boolean> {
    const record = this.record(accountId);
    record.lastUsed = ++this.useCounter;
    record.lastStart = now;
    const quota = { minIntervalMs: this.config.accountMinIntervalMs, maxPerHour: this.config.accountMaxPerHour };
    if (!this.sync || (quota.minIntervalMs <= 0 && quota.maxPerHour <= 0)) {
      this.sync?.publishStart(accountId, now);
      recentStarts(record, now).push(now);
      return true;
    }
    try {
      const claim = await this.sync.claimStart(accountId, now, quota);
      this.claimFailureLogged = false;
      record.starts = claim.starts;
      if (!claim.granted) record.lastStart = 0;
      return claim.granted;
    } catch {
      if (!this.claimFailureLogged) {
        this.claimFailureLogged = true;
        this.logger.warn("the shared quota store is unreachable: quotas count this replica's starts only meanwhile");
      }
      recentStarts(record, now).push(now);
      return true;
    }
  }

  /**
   * The upstream answered the generation's completion request (or refused it): its start counts from
   * now, not from the lease, which came before the session and the proof of work. Quotas space sends.
   */
  markSent(accountId: string, now = Date.now()): void {
    const record = this.peek(accountId);
    const last = record?.lastStart ?? 0;
    if (!record || last === 0 || now <= last) return;
    record.lastStart = 0;
    record.starts = mergeStarts(withoutOne(record.starts, last), [now]);
    this.sync?.restampStart(accountId, last, now);
  }

  /**
   * Makes the account part of the pool's state (and its metrics) without changing it. Synchronous:
   * `learn()` is what reads the shared store.
   */
  know(accountId: string): void {
    this.record(accountId);
  }

  /** `users/current` accepted the token; it may still report a mute. */
  markValid(accountId: string, mutedUntilMs: number | null, now = Date.now()): void {
    const record = this.record(accountId);
    record.validUntil = now + this.config.validationTtlMs;
    record.invalidUntil = 0;
    // users/current is the authority on mutes: it may also lift one early.
    if (mutedUntilMs !== null && mutedUntilMs > now) this.markMuted(accountId, mutedUntilMs, false, now);
    else {
      record.mutedUntil = 0;
      record.suspended = false;
      this.share(accountId, record);
    }
  }

  /** A generation went through: the token is good and the account no longer refuses. */
  markSucceeded(accountId: string, now = Date.now()): void {
    const record = this.record(accountId);
    // Every answer would otherwise be a message to every replica: share only news, and the token's
    // vouching about twice per validation period.
    const news =
      record.invalidUntil !== 0 || record.refusals !== 0 || record.validUntil < now + this.config.validationTtlMs / 2;
    record.validUntil = now + this.config.validationTtlMs;
    record.invalidUntil = 0;
    record.coolUntil = 0;
    record.refusals = 0;
    if (news) this.share(accountId, record);
  }

  markInvalid(accountId: string, now = Date.now()): void {
    const record = this.record(accountId);
    record.validUntil = 0;
    record.invalidUntil = now + this.config.invalidRecheckMs;
    this.share(accountId, record);
    this.report(accountId, `DeepSeek rejected its token; skipped until ${new Date(record.invalidUntil).toISOString()}`);
  }

  /** USER_IS_BANNED: out until the process restarts or the token changes (a new token is a new account). */
  markBanned(accountId: string): void {
    const record = this.record(accountId);
    if (record.banned) return;
    record.banned = true;
    this.share(accountId, record);
    this.report(accountId, 'DeepSeek banned this account; it is out of rotation until restart or a new token');
  }

  /** Returns when the mute ends (DeepSeek's time, or a default when it gave none, e.g. a suspension). */
  markMuted(accountId: string, untilMs: number | undefined, suspended = false, now = Date.now()): number {
    const record = this.record(accountId);
    record.mutedUntil = untilMs !== undefined && untilMs > now ? untilMs : now + this.config.defaultMuteMs;
    record.suspended = suspended;
    // Re-check once the mute is over: DeepSeek may have extended it.
    record.validUntil = 0;
    this.share(accountId, record);
    const what = suspended ? 'suspended by DeepSeek (no end given)' : 'muted';
    this.report(accountId, `${what}; out of rotation until ${new Date(record.mutedUntil).toISOString()}`);
    return record.mutedUntil;
  }

  /** "A message is being generated" or "too frequent": a short cooldown, doubled per consecutive refusal. */
  markRefused(accountId: string, reason: 'busy' | 'throttled', now = Date.now()): void {
    const record = this.record(accountId);
    record.refusals += 1;
    const base = reason === 'busy' ? this.config.busyCooldownMs : this.config.throttleCooldownMs;
    const cooldown = Math.min(base * 2 ** (record.refusals - 1), this.config.maxCooldownMs);
    record.coolUntil = now + cooldown;
    this.share(accountId, record);
    this.logger.log(`account ${accountId}: ${reason}; cooling down for ${cooldown} ms`);
  }

  /** The last upstream failure seen on the account, for operators. */
  recordError(accountId: string, kind: string, now = Date.now()): void {
    const record = this.record(accountId);
    record.lastError = { kind, at: now };
    this.share(accountId, record);
  }

  isPoolAccount(accountId: string): boolean {
    return this.pinned.has(accountId);
  }

  poolIds(): string[] {
    return [...this.pinned.keys()];
  }

  knownIds(): string[] {
    return [...this.pinned.keys(), ...Array.from(this.records.liveEntries(), ([id]) => id)];
  }

  /** When the operator's quotas let the account start another generation (0: now). */
  private quotaEnd(record: AccountRecord, now: number): number {
    const { accountMinIntervalMs, accountMaxPerHour } = this.config;
    if (accountMinIntervalMs <= 0 && accountMaxPerHour <= 0) return 0;
    const starts = recentStarts(record, now);
    let until = 0;
    if (accountMinIntervalMs > 0 && starts.length > 0) until = starts[starts.length - 1] + accountMinIntervalMs;
    if (accountMaxPerHour > 0 && starts.length >= accountMaxPerHour) {
      until = Math.max(until, starts[starts.length - accountMaxPerHour] + HOUR);
    }
    return until;
  }

  /** Pool accounts are named in warnings; accounts clients bring (possibly dozens made up per request) only at debug. */
  private report(accountId: string, message: string): void {
    if (this.pinned.has(accountId)) this.logger.warn(`account ${accountId}: ${message}`);
    else this.logger.debug(`account ${accountId}: ${message}`);
  }

  private share(accountId: string, record: AccountRecord): void {
    this.sync?.publishState(accountId, sharedStateOf(record));
  }

  /** Another replica's news: its view of the account replaces ours (last writer wins), or a start counts. */
  private applyUpdate(accountId: string, update: AccountUpdate): void {
    const record = this.peek(accountId);
    // An account this replica never saw is read from the store when it first does.
    if (!record) return;
    if ('state' in update) Object.assign(record, update.state);
    else {
      const starts = update.replaces === undefined ? record.starts : withoutOne(record.starts, update.replaces);
      record.starts = mergeStarts(starts, [update.start]);
    }
    for (const listener of this.changeListeners) listener();
  }

  private peek(accountId: string): AccountRecord | undefined {
    return this.pinned.get(accountId) ?? this.records.peek(accountId);
  }

  private record(accountId: string): AccountRecord {
    const pinned = this.pinned.get(accountId);
    if (pinned) return pinned;
    let record = this.records.get(accountId);
    if (!record) {
      record = newRecord(!this.sync);
      this.records.set(accountId, record);
    }
    return record;
  }
}

function newRecord(loaded: boolean): AccountRecord {
  return {
    loaded,
    lastStart: 0,
    validUntil: 0,
    invalidUntil: 0,
    mutedUntil: 0,
    suspended: false,
    banned: false,
    coolUntil: 0,
    refusals: 0,
    lastUsed: 0,
    starts: [],
    lastError: null,
  };
}

function sharedStateOf(record: AccountRecord): SharedAccountState {
  const { validUntil, invalidUntil, mutedUntil, suspended, banned, coolUntil, refusals, lastError } = record;
  return { validUntil, invalidUntil, mutedUntil, suspended, banned, coolUntil, refusals, lastError };
}

/** Two ascending lists of start times as one. */
function mergeStarts(mine: readonly number[], theirs: readonly number[]): number[] {
  return [...mine, ...theirs].sort((a, b) => a - b);
}

function withoutOne(starts: readonly number[], value: number): number[] {
  const index = starts.lastIndexOf(value);
  return index === -1 ? [...starts] : [...starts.slice(0, index), ...starts.slice(index + 1)];
}

/** The record's start times within the last hour (older ones dropped in place). */
function recentStarts(record: AccountRecord, now: number): number[] {
  const starts = record.starts;
  let old = 0;
  while (old < starts.length && starts[old] <= now - HOUR) old++;
  if (old > 0) starts.splice(0, old);
  return starts;
}
