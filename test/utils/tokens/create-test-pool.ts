import { Test } from '@nestjs/testing';
import type { TokensConfig } from '../../../src/config/tokens.config';
import { securityConfig } from '../../../src/config/security.config';
import { tokensConfig } from '../../../src/config/tokens.config';
import { DeepSeekClient } from '../../../src/deepseek/deepseek.client';
import { AccountHealth } from '../../../src/tokens/account-health';
import { AccountLockStore } from '../../../src/tokens/account-lock.store';
import { InMemoryAccountLockStore } from '../../../src/tokens/in-memory-account-lock.store';
import { TokenPool } from '../../../src/tokens/token-pool';
import { TokenValidator } from '../../../src/tokens/token-validator';
import { FakeDeepSeekClient } from '../../fakes/fake-deepseek-client';
import { testTokensConfig } from './test-tokens-config';

export interface TestPool {
  pool: TokenPool;
  client: FakeDeepSeekClient;
  validator: TokenValidator;
  close(): Promise<void>;
}

/** A TokenPool wired as TokensModule wires it, over a FakeDeepSeekClient. */
export async function createTestPool(
  overrides: Partial<TokensConfig> = {},
  client = new FakeDeepSeekClient(),
): Promise<TestPool> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      TokenPool,
      AccountHealth,
      TokenValidator,
      { provide: AccountLockStore, useClass: InMemoryAccountLockStore },
      { provide: DeepSeekClient, useValue: client },
      { provide: tokensConfig.KEY, useValue: testTokensConfig(overrides) },
      { provide: securityConfig.KEY, useValue: securityConfig() },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    pool: moduleRef.get(TokenPool),
    client,
    validator: moduleRef.get(TokenValidator),
    close: () => moduleRef.close(),
  };
}
