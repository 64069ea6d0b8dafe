import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ApiError } from '../common/errors/api-error';

/** The throttler, answering over-limit requests with OpenAI's 429 `rate_limit_exceeded` and `retry-after`. */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: unknown, detail: ThrottlerLimitDetail): Promise<void> {
    const minutes = detail.ttl / 60_000;
    return Promise.reject(
      ApiError.rateLimited(
        `Rate limit reached: at most ${detail.limit} requests per ${minutes === 1 ? 'minute' : `${minutes} minutes`} on this route. Try again in ${detail.timeToBlockExpire} s.`,
        detail.timeToBlockExpire,
      ),
    );
  }
}
