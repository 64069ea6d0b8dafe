import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { REDIS } from '../common/redis/redis.module';
import type { RedisConnections } from '../common/redis/redis-connections';
import { securityConfig, type SecurityConfig } from '../config/security.config';
import { CredentialsService } from '../tokens/auth/credentials.service';
import { TokensModule } from '../tokens/tokens.module';
import { ClientThrottlerGuard } from './client-throttler.guard';
import { rateLimitOptions } from './rate-limit';
import { StartupWarningsService } from './startup-warnings.service';

/**
 * The HTTP edge's Nest parts: per-client rate limits (a global guard) and the boot warnings. Its
 * middlewares (hosts, CORS, credential pre-check, JSON body) are ordered in app.setup.ts.
 */
@Module({
  imports: [
    TokensModule,
    ThrottlerModule.forRootAsync({
      imports: [TokensModule],
      inject: [securityConfig.KEY, CredentialsService, REDIS],
      useFactory: (config: SecurityConfig, credentials: CredentialsService, redis: RedisConnections | null) =>
        rateLimitOptions(config, credentials, redis),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ClientThrottlerGuard }, StartupWarningsService],
})
export class SecurityModule {}
