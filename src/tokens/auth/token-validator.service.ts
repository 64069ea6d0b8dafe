import { Inject, Injectable, Optional } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ApiError } from '../../common/errors/api-error';
import { securityConfig, type SecurityConfig } from '../../config/security.config';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { DeepSeekClient } from '../../deepseek/deepseek.client';
import { isUpstreamError } from '../../deepseek/upstream-error';
import { raceAbort } from '../../common/lifecycle/abort';
import type { Account } from '../pool/account';
import { AccountHealthService, isOutOfRotation } from '../pool/account-health.service';

const MINUTE_MS = 60_000;

/** What `users/current` said: live (maybe muted) or dead. Any other failure rejects with its UpstreamError. */
export type TokenVerdict = { live: true; mutedUntilMs: number | null } | { live: false };

/** Token checks through `users/current`: one in flight per token, results recorded in AccountHealthService. */
@Injectable()
export class TokenValidatorService {
  private readonly inFlight = new Map<string, Promise<TokenVerdict>>();

  constructor(
    private readonly client: DeepSeekClient,
    private readonly health: AccountHealthService,
    @Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>,
    @Inject(securityConfig.KEY) private readonly security: SecurityConfig,
    @Optional() @Inject(ThrottlerStorage) private readonly storage?: ThrottlerStorage,
  ) {}

  /**
   * Whether the account may run a generation now: true at once when a recent check vouches for it,
   * otherwise after a check. False when the check found it dead, muted, busy or throttled (its health
   * says which). Rejects with the UpstreamError of any other failure, or an AbortError.
   */
  async ensureUsable(account: Account, signal?: AbortSignal, client?: string): Promise<boolean> {
    if (!this.health.needsValidation(account.id)) return true;
    if (client !== undefined && !this.health.isPoolAccount(account.id)) await this.spendCheckBudget(client);
    try {
      const verdict = await raceAbort(this.check(account), signal);
      return verdict.live && !isOutOfRotation(this.health.condition(account.id));
    } catch (error) {
      if (isUpstreamError(error) && (error.kind === 'busy' || error.kind === 'throttled')) return false;
      throw error;
    }
  }

  /**
   * Made-up tokens must not become upstream calls at the client's pace: checks of tokens a client brings
   * are counted per client (RATE_LIMIT_NEW_TOKENS_PER_MINUTE), 429 beyond. A dead token's verdict is
   * remembered (AccountHealthService), so only new or expired tokens count.
   */
  private async spendCheckBudget(client: string): Promise<void> {
    const perMinute = this.security.rateLimits.newTokensPerMinute;
    if (!this.storage || perMinute === 0) return;
    const record = await this.storage.increment(`token-checks:${client}`, MINUTE_MS, perMinute, 0, 'new-tokens');
    if (!record.isBlocked) return;
    throw ApiError.rateLimited(
      `Too many DeepSeek tokens to check from this client: at most ${perMinute} per minute. Try again in ${record.timeToBlockExpire} s.`,
      Math.max(1, record.timeToBlockExpire),
    );
  }

  /** A fresh check, shared with any check of the same token already in flight. */
  check(account: Account): Promise<TokenVerdict> {
    let pending = this.inFlight.get(account.id);
    if (!pending) {
      pending = this.run(account).finally(() => this.inFlight.delete(account.id));
      this.inFlight.set(account.id, pending);
    }
    return pending;
  }

  private async run(account: Account): Promise<TokenVerdict> {
    try {
      // No caller's signal here: the check is shared, and one caller leaving must not cancel it for the others.
      const { mutedUntilMs } = await this.client.checkToken(
        account.token,
        AbortSignal.timeout(this.config.tokenCheckTimeoutMs),
      );
      this.health.markValid(account.id, mutedUntilMs);
      return { live: true, mutedUntilMs };
    } catch (error) {
      if (!isUpstreamError(error)) throw error;
      this.health.recordError(account.id, error.kind);
      if (error.kind === 'auth') {
        this.health.markInvalid(account.id);
        return { live: false };
      }
      if (error.kind === 'banned') {
        this.health.markBanned(account.id);
        return { live: false };
      }
      if (error.kind === 'muted') {
        const { muteUntilMs, suspended } = error.details;
        return { live: true, mutedUntilMs: this.health.markMuted(account.id, muteUntilMs, suspended === true) };
      }
      if (error.kind === 'busy' || error.kind === 'throttled') this.health.markRefused(account.id, error.kind);
      throw error;
    }
  }
}
