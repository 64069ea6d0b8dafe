import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../config/tokens.config';
import { BoundedTtlMap } from './bounded-ttl-map';

/** Whether an account may take a generation now, and if not, until when. */
export type AccountCondition =
  | { kind: 'ready' }
  | { kind: 'cooling'; until: number }
  | { kind: 'muted'; until: number }
  | { kind: 'invalid'; until: number };

interface AccountRecord {
  /** `users/current` (or a successful generation) vouched for the token until then; 0: check before use. */
  validUntil: number;
  invalidUntil: number;
  mutedUntil: number;
  coolUntil: number;
  /** Consecutive busy/throttled refusals, for the backoff. */
  refusals: number;
  /** Order of the last lease, for least-recently-used picking (a counter: many leases share a millisecond). */
  lastUsed: number;
}

const READY: AccountCondition = { kind: 'ready' };

/** What the pool knows about each account's health, by account id. In process: each instance learns on its own. */
@Injectable()
export class AccountHealth {
  private readonly logger = new Logger(AccountHealth.name);
  private readonly records: BoundedTtlMap<string, AccountRecord>;
  private useCounter = 0;

  constructor(@Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>) {
    this.records = new BoundedTtlMap(config.maxKnownAccounts);
  }

  condition(accountId: string, now = Date.now()): AccountCondition {
    const record = this.records.peek(accountId);
    if (!record) return READY;
    if (record.invalidUntil > now) return { kind: 'invalid', until: record.invalidUntil };
    if (record.mutedUntil > now) return { kind: 'muted', until: record.mutedUntil };
    if (record.coolUntil > now) return { kind: 'cooling', until: record.coolUntil };
    return READY;
  }

  needsValidation(accountId: string, now = Date.now()): boolean {
    return (this.records.peek(accountId)?.validUntil ?? 0) <= now;
  }

  lastUsed(accountId: string): number {
    return this.records.peek(accountId)?.lastUsed ?? 0;
  }

  /** Makes the account part of the pool's state (and its metrics) without changing it. */
  know(accountId: string): void {
    this.record(accountId);
  }

  markUsed(accountId: string): void {
    this.record(accountId).lastUsed = ++this.useCounter;
  }

  /** `users/current` accepted the token; it may still report a mute. */
  markValid(accountId: string, mutedUntilMs: number | null, now = Date.now()): void {
    const record = this.record(accountId);
    record.validUntil = now + this.config.validationTtlMs;
    record.invalidUntil = 0;
    // users/current is the authority on mutes: it may also lift one early.
    if (mutedUntilMs !== null && mutedUntilMs > now) this.markMuted(accountId, mutedUntilMs, now);
    else record.mutedUntil = 0;
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
    this.logger.warn(
      `account ${accountId}: DeepSeek rejected its token; skipped until ${new Date(record.invalidUntil).toISOString()}`,
    );
  }

  /** Returns when the mute ends (DeepSeek's time, or a default when it gave none). */
  markMuted(accountId: string, untilMs: number | undefined, now = Date.now()): number {
    const record = this.record(accountId);
    record.mutedUntil = untilMs !== undefined && untilMs > now ? untilMs : now + this.config.defaultMuteMs;
    // Re-check once the mute is over: DeepSeek may have extended it.
    record.validUntil = 0;
    this.logger.warn(`account ${accountId}: muted until ${new Date(record.mutedUntil).toISOString()}`);
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

  knownIds(): string[] {
    return Array.from(this.records.liveEntries(), ([id]) => id);
  }

  private record(accountId: string): AccountRecord {
    let record = this.records.get(accountId);
    if (!record) {
      record = { validUntil: 0, invalidUntil: 0, mutedUntil: 0, coolUntil: 0, refusals: 0, lastUsed: 0 };
      this.records.set(accountId, record);
    }
    return record;
  }
}
