import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AnthropicModule } from './anthropic/anthropic.module';
import { ChatModule } from './chat/chat.module';
import { CANONICAL_MODEL_IDS } from './chat/models';
import { ConsoleModule } from './console/console.module';
import { ApiExceptionFilter } from './common/filters/api-exception.filter';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { LoggingModule } from './common/logging/logging.module';
import { RedisModule } from './common/redis/redis.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { appConfig } from './config/app.config';
import { deepseekConfig } from './config/deepseek.config';
import { securityConfig } from './config/security.config';
import { validateEnvironment } from './config/environment';
import { tokensConfig } from './config/tokens.config';
import { upstreamConfig } from './config/upstream.config';
import { DeepSeekModule } from './deepseek/deepseek.module';
import { HealthModule } from './health/health.module';
import { ResponsesModule } from './responses/responses.module';
import { SecurityModule } from './security/security.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment,
      load: [appConfig, deepseekConfig, tokensConfig, securityConfig, upstreamConfig],
    }),
    LoggingModule,
    RedisModule,
    LifecycleModule,
    MetricsModule.forRoot({ knownModels: CANONICAL_MODEL_IDS }),
    DeepSeekModule,
    SecurityModule,
    HealthModule,
    ChatModule,
    ResponsesModule,
    AnthropicModule,
    AdminModule,
    ConsoleModule,
  ],
  // No global ValidationPipe: request bodies are checked by hand, field by field (chat and token dto).
  providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
})
export class AppModule {}
