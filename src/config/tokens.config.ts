import { registerAs } from '@nestjs/config';
import { readEnvironment, splitList } from './environment';

export const tokensConfig = registerAs('tokens', () => {
  const env = readEnvironment();
  return {
    /** Server-side accounts (managed mode). `DEEP_SEEK_CHAT_AUTHORIZATION` is the old server's name. */
    serverTokens: splitList(env.DEEPSEEK_TOKENS ?? env.DEEP_SEEK_CHAT_AUTHORIZATION),
    /** When non-empty, clients authenticate with one of these and never send upstream tokens. */
    apiKeys: splitList(env.API_KEYS),
    accountMaxInflight: env.ACCOUNT_MAX_INFLIGHT ?? 1,
    queueTimeoutMs: env.QUEUE_TIMEOUT_MS ?? 30_000,
    queueMaxLength: env.QUEUE_MAX_LENGTH ?? 1000,
    redisUrl: env.REDIS_URL,
  };
});

export type TokensConfig = ReturnType<typeof tokensConfig>;
