import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { ChatModule } from './chat/chat.module';
import { CANONICAL_MODEL_IDS } from './chat/models';
import { OpenAiExceptionFilter } from './common/filters/openai-exception.filter';
import { createValidationPipe } from './common/http/validation';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { appConfig } from './config/app.config';
import { deepseekConfig } from './config/deepseek.config';
import { validateEnvironment } from './config/environment';
import { tokensConfig } from './config/tokens.config';
import { DeepSeekModule } from './deepseek/deepseek.module';
import { HealthModule } from './health/health.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: validateEnvironment,
      load: [appConfig, deepseekConfig, tokensConfig],
    }),
    LifecycleModule,
    MetricsModule.forRoot({ knownModels: CANONICAL_MODEL_IDS }),
    DeepSeekModule,
    HealthModule,
    ChatModule,
    AdminModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
  ],
})
export class AppModule {}
