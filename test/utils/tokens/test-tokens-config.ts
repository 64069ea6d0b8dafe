import type { TokensConfig } from '../../../src/config/tokens.config';

/** The `tokens` namespace with production defaults except a short queue timeout; specs override what they test. */
export function testTokensConfig(overrides: Partial<TokensConfig> = {}): TokensConfig {
  return {
    serverTokens: [],
    apiKeys: [],
    accountMaxInflight: 1,
    accountMaxPerHour: 0,
    accountMinIntervalMs: 0,
    queueTimeoutMs: 1_000,
    queueMaxLength: 1_000,
    redisUrl: undefined,
    redisFailureMode: 'closed',
    leaseTtlMs: 60_000,
    maxLeaseMs: 30 * 60_000,
    validationTtlMs: 60 * 60_000,
    invalidRecheckMs: 10 * 60_000,
    defaultMuteMs: 60 * 60_000,
    busyCooldownMs: 2_000,
    throttleCooldownMs: 5_000,
    maxCooldownMs: 60_000,
    maxKnownAccounts: 10_000,
    tokenCheckIntervalMs: 10 * 60_000,
    tokenCheckTimeoutMs: 15_000,
    sessionTtlMs: 3 * 24 * 60 * 60_000,
    sessionMaxEntries: 100_000,
    conversationReuse: true,
    conversationTtlMs: 24 * 60 * 60_000,
    conversationMaxEntries: 100_000,
    conversationOwnerWaitMs: 10_000,
    sessionCleanup: 'keep',
    ...overrides,
  };
}
