import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiError } from '../../common/errors/api-error';
import { tokensConfig } from '../../config/tokens.config';
import { isUpstreamError } from '../../deepseek/upstream-error';
import { createAccount } from '../pool/account';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';
import { BUSY_RETRY_AFTER_SEC } from '../pool/pool-errors';
import { TokenValidatorService } from '../auth/token-validator.service';

/** `POST /token/check`: is this userToken live? At most one upstream check per token per interval. */
@Injectable()
export class TokenCheckService {
  /** Account id → when its last check started. */
  private readonly lastChecks: BoundedTtlMap<string, number>;

  constructor(
    private readonly validator: TokenValidatorService,
    @Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>,
  ) {
    this.lastChecks = new BoundedTtlMap(config.maxKnownAccounts, config.tokenCheckIntervalMs);
  }

  async check(token: string): Promise<{ live: boolean }> {
    const account = createAccount(token);
    const now = Date.now();
    const nextAllowed = this.lastChecks.expiresAt(account.id, now);
    if (nextAllowed !== undefined) {
      const minutes = Math.round(this.config.tokenCheckIntervalMs / 60_000);
      throw ApiError.rateLimited(
        `This token was checked less than ${minutes} minute(s) ago; DeepSeek allows one check per token in that time.`,
        Math.ceil((nextAllowed - now) / 1000),
      );
    }
    this.lastChecks.set(account.id, now, now);
    try {
      const verdict = await this.validator.check(account);
      return { live: verdict.live };
    } catch (error) {
      // No answer about the token: the client may ask again without waiting out the interval.
      this.lastChecks.delete(account.id);
      if (!isUpstreamError(error)) throw error;
      if (error.kind === 'busy' || error.kind === 'throttled') {
        throw ApiError.rateLimited('DeepSeek is throttling token checks; try again shortly.', BUSY_RETRY_AFTER_SEC);
      }
      throw new ApiError(HttpStatus.BAD_GATEWAY, `DeepSeek could not check the token (${error.kind}).`, {
        code: 'upstream_error',
      });
    }
  }
}
