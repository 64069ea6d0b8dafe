import { registerAs } from '@nestjs/config';
import { appConfig } from './app.config';
import { readEnvironment } from './environment';
import { parseByteSize, parseCorsOrigins, parseHostList, parseTrustProxy } from './security-syntax';

/** `{"token":"…"}` with a 512-character token, many times over. */
export const TOKEN_CHECK_BODY_LIMIT_BYTES = 4 * 1024;

/**
 * The chat body limit follows the longest prompt we accept. A prompt character costs at most 6 bytes
 * of JSON: `\uXXXX`, as encoders that escape all non-ASCII text write it (Python's json does by
 * default); raw UTF-8 needs at most 3 per UTF-16 unit. The rest is room for what is not prompt
 * text: message objects, tool calls, reasoning_content sent back, fields we ignore. With the default
 * MAX_PROMPT_CHARS of 1,000,000 that is 8,097,152 bytes (7.7 MiB).
 */
const JSON_BYTES_PER_PROMPT_CHAR = 6;
const NON_PROMPT_BYTES = 2 * 1024 * 1024;

export function chatBodyLimitFor(maxPromptChars: number): number {
  return maxPromptChars * JSON_BYTES_PER_PROMPT_CHAR + NON_PROMPT_BYTES;
}

// Values were validated at boot (environment.ts); a parser's null only stands for "not set" here.
export const securityConfig = registerAs('security', () => {
  const env = readEnvironment();
  return {
    /** Request body limits in bytes; no other route reads a body. */
    bodyLimits: {
      chat: (env.BODY_LIMIT && parseByteSize(env.BODY_LIMIT)) || chatBodyLimitFor(appConfig().maxPromptChars),
      tokenCheck: TOKEN_CHECK_BODY_LIMIT_BYTES,
    },
    /** When set, requests whose `Host` is not listed are refused (DNS rebinding); probes excepted. */
    allowedHosts: env.ALLOWED_HOSTS ? parseHostList(env.ALLOWED_HOSTS) : null,
    /** Express' `trust proxy`: off unless configured, so no client can pick its IP with X-Forwarded-For. */
    trustProxy: (env.TRUST_PROXY && parseTrustProxy(env.TRUST_PROXY)) || false,
    /** Per client and minute; 0 turns a limit off. */
    rateLimits: {
      chatPerMinute: env.RATE_LIMIT_CHAT_PER_MINUTE ?? 60,
      tokenChecksPerMinute: env.RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE ?? 10,
      /** DeepSeek tokens a client brings that we check upstream (`users/current`), per minute. */
      newTokensPerMinute: env.RATE_LIMIT_NEW_TOKENS_PER_MINUTE ?? 10,
    },
    /** Explicit CORS origins; null leaves it to the credentials mode (cors-policy.ts). */
    corsOrigins: env.CORS_ORIGINS ? parseCorsOrigins(env.CORS_ORIGINS) : null,
  };
});

export type SecurityConfig = ReturnType<typeof securityConfig>;
