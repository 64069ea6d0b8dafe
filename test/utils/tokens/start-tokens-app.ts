import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ApiExceptionFilter } from '../../../src/common/filters/api-exception.filter';
import type { TokensConfig } from '../../../src/config/tokens.config';
import { securityConfig } from '../../../src/config/security.config';
import { tokensConfig } from '../../../src/config/tokens.config';
import { DeepSeekClient } from '../../../src/deepseek/deepseek.client';
import { DeepSeekModule } from '../../../src/deepseek/deepseek.module';
import { TokensModule } from '../../../src/tokens/tokens.module';
import { FakeDeepSeekClient } from '../fake-deepseek-client';
import { testTokensConfig } from './test-tokens-config';

/** What AppModule provides globally: the `tokens` config, and the `security` one from the environment. */
function fakeSurroundings(config: TokensConfig): DynamicModule {
  class FakeSurroundingsModule {}
  return {
    module: FakeSurroundingsModule,
    global: true,
    providers: [
      { provide: tokensConfig.KEY, useValue: config },
      { provide: securityConfig.KEY, useValue: securityConfig() },
    ],
    exports: [tokensConfig.KEY, securityConfig.KEY],
  };
}

/** Stands in for DeepSeekModule: the given client, no HTTP, no PoW workers. */
function fakeDeepSeekModule(client: DeepSeekClient): DynamicModule {
  class FakeDeepSeekModule {}
  return {
    module: FakeDeepSeekModule,
    providers: [{ provide: DeepSeekClient, useValue: client }],
    exports: [DeepSeekClient],
  };
}

/** The real TokensModule behind the app's global filter, plus any probe controllers. */
export async function startTokensApp(
  options: { config?: Partial<TokensConfig>; client?: FakeDeepSeekClient; controllers?: Type[] } = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [fakeSurroundings(testTokensConfig(options.config)), TokensModule],
    controllers: options.controllers ?? [],
    providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
  })
    .overrideModule(DeepSeekModule)
    .useModule(fakeDeepSeekModule(options.client ?? new FakeDeepSeekClient()))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}
