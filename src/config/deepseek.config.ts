import { registerAs } from '@nestjs/config';
import { readEnvironment } from './environment';

export const deepseekConfig = registerAs('deepseek', () => {
  const env = readEnvironment();
  return {
    baseUrl: (env.DEEPSEEK_BASE_URL ?? 'https://chat.deepseek.com').replace(/\/+$/, ''),
    userAgent:
      env.DEEPSEEK_USER_AGENT ??
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/144.0.0.0 Safari/537.36',
    clientVersion: env.DEEPSEEK_CLIENT_VERSION ?? '1.7.0',
    appVersion: env.DEEPSEEK_APP_VERSION ?? '20241129.1',
    clientLocale: env.DEEPSEEK_CLIENT_LOCALE ?? 'en_US',
    /** No upstream byte for this long aborts the stream (an idle timeout, never a total one). */
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS ?? 120_000,
    /** From sending the completion request to its first event. */
    firstByteTimeoutMs: env.UPSTREAM_FIRST_BYTE_TIMEOUT_MS ?? 30_000,
    maxContinueRounds: env.MAX_CONTINUE_ROUNDS ?? 8,
    powWorkers: env.POW_WORKERS ?? 2,
  };
});

export type DeepSeekConfig = ReturnType<typeof deepseekConfig>;
