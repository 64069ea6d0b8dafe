import type { ExecutionContext } from '@nestjs/common';
import {
  type ThrottlerGetTrackerFunction,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import type { Request } from 'express';
import type { SecurityConfig } from '../config/security.config';
import type { RedisConnections } from '../common/redis/redis-connections';
import type { CredentialsService } from '../tokens/auth/credentials.service';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { ANTHROPIC_MESSAGES_PATHS, CHAT_COMPLETIONS_PATH, RESPONSES_PATH, TOKEN_CHECK_PATH } from './routes';

const MINUTE_MS = 60_000;

/** Who a request counts against (CredentialsService.clientIdOf). */
export function clientTracker(credentials: CredentialsService): ThrottlerGetTrackerFunction {
  return (raw) => credentials.clientIdOf(raw as Request);
}

const routeOf = (context: ExecutionContext): string | undefined =>
  (context.switchToHttp().getRequest<Request>().route as { path?: string } | undefined)?.path;

/** A per-minute sliding window on one route; `perMinute` 0 turns it off. */
function perMinuteOn(name: string, paths: readonly string[], perMinute: number): ThrottlerOptions {
  const limited = new Set(paths);
  return {
    name,
    ttl: MINUTE_MS,
    limit: Math.max(1, perMinute),
    // No extra block: a client is refused only while its last minute holds `limit` requests.
    blockDuration: 0,
    skipIf: (context) => {
      const route = routeOf(context);
      return perMinute === 0 || route === undefined || !limited.has(route);
    },
  };
}

/**
 * The ThrottlerModule options. Storage is the throttler's default, in this process's memory, or Redis
 * when several instances share it (a client's limit then holds once across them).
 * Routes not listed (probes, /metrics, /v1/models) are never limited.
 */
export function rateLimitOptions(
  config: SecurityConfig,
  credentials: CredentialsService,
  redis: RedisConnections | null = null,
): ThrottlerModuleOptions {
  return {
    storage: redis ? new RedisThrottlerStorage(redis) : undefined,
    throttlers: [
      // One chat budget, whichever API asks.
      perMinuteOn(
        'chat',
        [CHAT_COMPLETIONS_PATH, RESPONSES_PATH, ...ANTHROPIC_MESSAGES_PATHS],
        config.rateLimits.chatPerMinute,
      ),
      perMinuteOn('token-check', [TOKEN_CHECK_PATH], config.rateLimits.tokenChecksPerMinute),
    ],
    getTracker: clientTracker(credentials),
    // Our 429 carries retry-after itself (ClientThrottlerGuard); no per-throttler X-RateLimit-* headers.
    setHeaders: false,
  };
}
