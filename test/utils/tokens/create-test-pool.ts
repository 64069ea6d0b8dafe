import { Test } from '@nestjs/testing';
import type { ApiError } from '../../../src/common/errors/api-error';
import { toApiError } from '../../../src/common/errors/to-api-error';
import type { TokensConfig } from '../../../src/config/tokens.config';
import { securityConfig } from '../../../src/config/security.config';
import { tokensConfig } from '../../../src/config/tokens.config';
import { DeepSeekClient } from '../../../src/deepseek/deepseek.client';
import { AccountHealthService } from '../../../src/tokens/pool/account-health.service';
import { AccountLockStore } from '../../../src/tokens/pool/account-lock.store';
import { InMemoryAccountLockStore } from '../../../src/tokens/pool/in-memory-account-lock.store';
import { PoolError } from '../../../src/tokens/pool/pool-errors';
import { TokenPoolService } from '../../../src/tokens/pool/token-pool.service';
import { TokenValidatorService } from '../../../src/tokens/auth/token-validator.service';
import { FakeDeepSeekClient } from '../fake-deepseek-client';
import { testTokensConfig } from './test-tokens-config';

export interface TestPool {
  pool: TokenPoolService;
  client: FakeDeepSeekClient;
  validator: TokenValidatorService;
  close(): Promise<void>;
}

/** A TokenPoolService wired as TokensModule wires it, over a FakeDeepSeekClient. */
export async function createTestPool(
  overrides: Partial<TokensConfig> = {},
  client = new FakeDeepSeekClient(),
): Promise<TestPool> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      TokenPoolService,
      AccountHealthService,
      TokenValidatorService,
      { provide: AccountLockStore, useClass: InMemoryAccountLockStore },
      { provide: DeepSeekClient, useValue: client },
      { provide: tokensConfig.KEY, useValue: testTokensConfig(overrides) },
      { provide: securityConfig.KEY, useValue: securityConfig() },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    pool: moduleRef.get(TokenPoolService),
    client,
    validator: moduleRef.get(TokenValidatorService),
    close: () => moduleRef.close(),
  };
}

/** The pool's refusal as the client is told it; anything but a pool refusal fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof PoolError)) throw error;
  return toApiError(error);
}
