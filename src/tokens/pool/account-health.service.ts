import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { accountIdOf } from './account';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';

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

interface AccountRecord {
  /** `users/current` (or a successful generation) vouched for the token until then; 0: check before use. */
  validUntil: number;
  invalidUntil: number;
  mutedUntil: number;
  suspended: boolean;
  banned: boolean;
  coolUntil: number;
  /** Consecutive busy/throttled refusals, for the backoff. */
  refusals: number;
  /** Order of the last lease, for least-recently-used picking (a counter: many leases share a millisecond). */
  lastUsed: number;
  /** When the generations of the last hour started, oldest first. */
  starts: number[];
  lastError: { kind: string; at: number } | null;
}

const READY: AccountCondition = { kind: 'ready' };

/**
 * What the pool knows about each account's health, by account id. In process: each instance learns on its
 * own. The server's own accounts (DEEPSEEK_TOKENS) are kept for good; accounts that clients bring are
 * bounded (least recently seen go first), so client traffic can never push a pool account's state out.
 */
@Injectable()
export class AccountHealthService {
  private readonly logger = new Logger(AccountHealthService.name);
  private readonly pinned = new Map<string, AccountRecord>();
  private readonly records: BoundedTtlMap<string, AccountRecord>;
  private useCounter = 0;

  constructor(@Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>) {
    this.records = new BoundedTtlMap(config.maxKnownAccounts);
    for (const token of config.serverTokens) this.pinned.set(accountIdOf(token), newRecord());
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

  /** Makes the account part of the pool's state (and its metrics) without changing it. */
  know(accountId: string): void {
    this.record(accountId);
  }

  /** A generation is about to start on the account: least-recently-used order and the quotas count it. */
  markUsed(accountId: string, now = Date.now()): void {
    const record = this.record(accountId);
    record.lastUsed = ++this.useCounter;
    recentStarts(record, now).push(now);
  }

  /**
   * The upstream answered the generation's completion request (or refused it): its start counts from
   * now, not from the lease, which came before the session and the proof of work. Quotas space sends.
   */
  markSent(accountId: string, now = Date.now()): void {
    const starts = this.peek(accountId)?.starts;
    if (starts && starts.length > 0) starts[starts.length - 1] = Math.max(starts[starts.length - 1], now);
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
    }
  }

  /** A generation went through: the token is good and the account no longer refuses. */
  markSucceeded(accountId: string, now = Date.now()): void {
    const record = this.record(accountId);
    record.validUntil = now + this.config.validationTtlMs;
    record.invalidUntil = 0;
    record.coolUntil = 0;
    record.refusals = 0;
  }

  markInvalid(accountId: string, now = Date.now()): void {
    const record = this.record(accountId);
    record.validUntil = 0;
    record.invalidUntil = now + this.config.invalidRecheckMs;
    this.report(accountId, `DeepSeek rejected its token; skipped until ${new Date(record.invalidUntil).toISOString()}`);
  }

  /** USER_IS_BANNED: out until the process restarts or the token changes (a new token is a new account). */
  markBanned(accountId: string): void {
    const record = this.record(accountId);
    if (record.banned) return;
    record.banned = true;
    this.report(accountId, 'DeepSeek banned this account; it is out of rotation until restart or a new token');
  }

  /** Returns when the mute ends (DeepSeek's time, or a default when it gave none, e.g. a suspension). */
  markMuted(accountId: string, untilMs: number | undefined, suspended = false, now = Date.now()): number {
    const record = this.record(accountId);
    record.mutedUntil = untilMs !== undefined && untilMs > now ? untilMs : now + this.config.defaultMuteMs;
    record.suspended = suspended;
    // Re-check once the mute is over: DeepSeek may have extended it.
    record.validUntil = 0;
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
    this.logger.log(`account ${accountId}: ${reason}; cooling down for ${cooldown} ms`);
  }

  /** The last upstream failure seen on the account, for operators. */
  recordError(accountId: string, kind: string, now = Date.now()): void {
    this.record(accountId).lastError = { kind, at: now };
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

  private peek(accountId: string): AccountRecord | undefined {
    return this.pinned.get(accountId) ?? this.records.peek(accountId);
  }

  private record(accountId: string): AccountRecord {
    const pinned = this.pinned.get(accountId);
    if (pinned) return pinned;
    let record = this.records.get(accountId);
    if (!record) {
      record = newRecord();
      this.records.set(accountId, record);
    }
    return record;
  }
}

function newRecord(): AccountRecord {
  return {
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

/** The record's start times within the last hour (older ones dropped in place). */
function recentStarts(record: AccountRecord, now: number): number[] {
  const starts = record.starts;
  let old = 0;
  while (old < starts.length && starts[old] <= now - HOUR) old++;
  if (old > 0) starts.splice(0, old);
  return starts;
}
