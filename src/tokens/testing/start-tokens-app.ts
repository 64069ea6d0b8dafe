import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OpenAiExceptionFilter } from '../../common/filters/openai-exception.filter';
import { createValidationPipe } from '../../common/http/validation';
import type { TokensConfig } from '../../config/tokens.config';
import { tokensConfig } from '../../config/tokens.config';
import { DeepSeekClient } from '../../deepseek/deepseek.client';
import { DeepSeekModule } from '../../deepseek/deepseek.module';
import { TokensModule } from '../tokens.module';
import { FakeDeepSeekClient } from './fake-deepseek-client';
import { testTokensConfig } from './test-tokens-config';

/** What AppModule provides globally: the `tokens` config. */
function fakeSurroundings(config: TokensConfig): DynamicModule {
  class FakeSurroundingsModule {}
  return {
    module: FakeSurroundingsModule,
    global: true,
    providers: [{ provide: tokensConfig.KEY, useValue: config }],
    exports: [tokensConfig.KEY],
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

/** The real TokensModule behind the app's global pipe and filter, plus any probe controllers. */
export async function startTokensApp(
  options: { config?: Partial<TokensConfig>; client?: FakeDeepSeekClient; controllers?: Type[] } = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [fakeSurroundings(testTokensConfig(options.config)), TokensModule],
    controllers: options.controllers ?? [],
    providers: [
      { provide: APP_PIPE, useFactory: createValidationPipe },
      { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
    ],
  })
    .overrideModule(DeepSeekModule)
    .useModule(fakeDeepSeekModule(options.client ?? new FakeDeepSeekClient()))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}
