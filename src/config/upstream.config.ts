import { registerAs } from '@nestjs/config';
import { parseApiKeys } from './api-keys';
import { readEnvironment, type UPSTREAM_MODES } from './environment';

export type UpstreamMode = (typeof UPSTREAM_MODES)[number];

const DEFAULT_API_CONCURRENCY = 16;

/** Which upstream answers (the web chat, the official API, or the API when no account can), and the API's keys. */
export const upstreamConfig = registerAs('upstream', () => {
  const env = readEnvironment();
  return {
    mode: (env.UPSTREAM_MODE ?? 'web') as UpstreamMode,
    api: {
      baseUrl: (env.DEEPSEEK_API_BASE_URL ?? 'https://api.deepseek.com').replace(/\/+$/, ''),
      /** Validated by the environment check. */
      keys: parseApiKeys(env.DEEPSEEK_API_KEYS ?? '', env.DEEPSEEK_API_CONCURRENCY ?? DEFAULT_API_CONCURRENCY) ?? [],
      /** `web-then-api`: how long a request waits for a web account before it goes to the API. */
      fallbackAfterMs: env.FALLBACK_AFTER_MS ?? 5_000,
      /** From sending a request to the answer's headers (the API then holds a busy request with keep-alives). */
      headersTimeoutMs: env.UPSTREAM_FIRST_BYTE_TIMEOUT_MS ?? 30_000,
      /** No byte (keep-alives count) for this long aborts the answer. */
      idleTimeoutMs: env.UPSTREAM_TIMEOUT_MS ?? 120_000,
      /** Tries of one request over the keys for 429 and 5xx answers (a 401 or 402 moves on without counting). */
      maxAttempts: 3,
      /** A 429 without `retry-after` cools its key this long. */
      rateLimitCooldownMs: 5_000,
      /** How long the model list fetched from the API (`GET /models`) is trusted. */
      modelsTtlMs: 10 * 60_000,
    },
  };
});

export type UpstreamConfig = ReturnType<typeof upstreamConfig>;
