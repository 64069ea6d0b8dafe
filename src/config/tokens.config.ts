import { registerAs } from '@nestjs/config';
import { readEnvironment, splitList } from './environment';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const tokensConfig = registerAs('tokens', () => {
  const env = readEnvironment();
  return {
    /** Server-side accounts (managed mode). `DEEP_SEEK_CHAT_AUTHORIZATION` is the old server's name. */
    serverTokens: splitList(env.DEEPSEEK_TOKENS ?? env.DEEP_SEEK_CHAT_AUTHORIZATION),
    /** When non-empty, clients authenticate with one of these and never send upstream tokens. */
    apiKeys: splitList(env.API_KEYS),
    accountMaxInflight: env.ACCOUNT_MAX_INFLIGHT ?? 1,
    /** Operator quota: generations per account per rolling hour (0: no limit). */
    accountMaxPerHour: env.ACCOUNT_MAX_PER_HOUR ?? 0,
    /** Operator quota: minimum time between two generation starts on one account (0: none). */
    accountMinIntervalMs: env.ACCOUNT_MIN_INTERVAL_MS ?? 0,
    queueTimeoutMs: env.QUEUE_TIMEOUT_MS ?? 30_000,
    queueMaxLength: env.QUEUE_MAX_LENGTH ?? 1000,
    redisUrl: env.REDIS_URL,
    /** While Redis is unreachable: `closed` refuses leases (503), `local` locks accounts per replica. */
    redisFailureMode: env.REDIS_FAILURE_MODE === 'local' ? ('local' as const) : ('closed' as const),
    /** A lock lives this long unless its holder's heartbeat (every third of it) renews it: a crashed instance's accounts are free again within it. */
    leaseTtlMs: env.LEASE_TTL_MS ?? MINUTE,
    /** Safety net for a lease its owner never releases (a bug): force-released after this long. */
    maxLeaseMs: 30 * MINUTE,
    /** A token that passed `users/current` is trusted this long before it is checked again. */
    validationTtlMs: HOUR,
    /** An account whose token was rejected is tried again after this long. */
    invalidRecheckMs: 10 * MINUTE,
    /** Used when DeepSeek reports a mute without its end. */
    defaultMuteMs: HOUR,
    /** First cooldown after "a message is being generated"; doubles per consecutive refusal. */
    busyCooldownMs: 2_000,
    /** First cooldown after "too frequent" / 40029; doubles per consecutive refusal. */
    throttleCooldownMs: 5_000,
    maxCooldownMs: MINUTE,
    /** Accounts whose state is remembered (direct mode sees arbitrary tokens); least recently seen go first. */
    maxKnownAccounts: 10_000,
    /** `POST /token/check`: DeepSeek asks for at most one check per token in this window. */
    tokenCheckIntervalMs: 10 * MINUTE,
    tokenCheckTimeoutMs: 15_000,
    /** conversation_id → owning account, for native continuation. */
    sessionTtlMs: 3 * 24 * HOUR,
    sessionMaxEntries: 100_000,
    /** Continue the upstream chat of a history we answered, sending only what is new (native multi-turn). */
    conversationReuse: env.CONVERSATION_REUSE !== 'off',
    conversationTtlMs: env.CONVERSATION_TTL_MS ?? 24 * HOUR,
    conversationMaxEntries: env.CONVERSATION_MAX_ENTRIES ?? 100_000,
    /** How long a continuation waits for the account that holds its chat before starting a new one. */
    conversationOwnerWaitMs: env.CONVERSATION_OWNER_WAIT_MS ?? 10_000,
    /** `delete-after`: delete the chats we created on our own accounts once unused for `conversationTtlMs`. */
    sessionCleanup: env.SESSION_CLEANUP === 'delete-after' ? ('delete-after' as const) : ('keep' as const),
  };
});

export type TokensConfig = ReturnType<typeof tokensConfig>;
