import { registerAs } from '@nestjs/config';
import { readEnvironment } from './environment';

export const deepseekConfig = registerAs('deepseek', () => {
  const env = readEnvironment();
  return {
    baseUrl: (env.DEEPSEEK_BASE_URL ?? 'https://chat.deepseek.com').replace(/\/+$/, ''),
    userAgent:
      env.DEEPSEEK_USER_AGENT ??
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/144.0.0.0 Safari/537.36',
    clientVersion: env.DEEPSEEK_CLIENT_VERSION ?? '2.4.0',
    /** The web front end's build (`x-app-version`); 2026 web clients often send none, so neither do we by default. */
    appVersion: env.DEEPSEEK_APP_VERSION,
    clientLocale: env.DEEPSEEK_CLIENT_LOCALE ?? 'en_US',
    /** `x-client-timezone-offset` in seconds east of UTC: this machine's own offset unless set. */
    clientTimezoneOffset: env.DEEPSEEK_CLIENT_TIMEZONE_OFFSET ?? -new Date().getTimezoneOffset() * 60,
    /** No upstream byte for this long aborts the stream (an idle timeout, never a total one). */
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS ?? 120_000,
    /** From sending the completion request to its first event. */
    firstByteTimeoutMs: env.UPSTREAM_FIRST_BYTE_TIMEOUT_MS ?? 30_000,
    maxContinueRounds: env.MAX_CONTINUE_ROUNDS ?? 8,
    /**
     * After the answer's terminal status the upstream still sends the title (a second model call) and
     * counts the account as generating until its body ends: the account's lease is held that long, at
     * most this long.
     */
    closeGraceMs: env.UPSTREAM_CLOSE_GRACE_MS ?? 10_000,
    powWorkers: env.POW_WORKERS ?? 2,
  };
});

export type DeepSeekConfig = ReturnType<typeof deepseekConfig>;
