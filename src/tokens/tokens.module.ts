import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { REDIS, RedisModule } from '../common/redis/redis.module';
import type { RedisConnections } from '../common/redis/redis-connections';
import { tokensConfig } from '../config/tokens.config';
import { RedisAccountLockStore } from './pool/redis-account-lock.store';
import { AccountStateSync } from './pool/account-state-sync';
import { RedisAccountStateSync } from './pool/redis-account-state-sync';
import { PeerQueues } from './pool/peer-queues';
import { RedisPeerQueues } from './pool/redis-peer-queues';
import { RedisConversationStore } from './sessions/redis-conversation.store';
import { RedisSessionOwnerStore } from './sessions/redis-session-owner.store';
import { DeepSeekModule } from '../deepseek/deepseek.module';
import { AccountHealthService } from './pool/account-health.service';
import { AccountLockStore } from './pool/account-lock.store';
import { AccountsGuard } from './auth/accounts.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CredentialsService } from './auth/credentials.service';
import { InMemoryAccountLockStore } from './pool/in-memory-account-lock.store';
import { InMemorySessionOwnerStore } from './sessions/in-memory-session-owner.store';
import { ModelCapabilitiesService } from './pool/model-capabilities.service';
import { SessionOwnerStore } from './sessions/session-owner.store';
import { ConversationStore } from './sessions/conversation.store';
import { InMemoryConversationStore } from './sessions/in-memory-conversation.store';
import { TokenCheckController } from './check/token-check.controller';
import { TokenCheckService } from './check/token-check.service';
import { TokenPoolService } from './pool/token-pool.service';
import { TokenValidatorService } from './auth/token-validator.service';

/** Accounts and their state: credentials, the pool with its locks and queue, health, session owners. */
@Module({
  imports: [DeepSeekModule, RedisModule],
  controllers: [TokenCheckController],
  providers: [
    CredentialsService,
    AccountsGuard,
    ApiKeyGuard,
    AccountHealthService,
    TokenValidatorService,
    TokenPoolService,
    TokenCheckService,
    ModelCapabilitiesService,
    {
      provide: AccountLockStore,
      useFactory: (redis: RedisConnections | null, config: ConfigType<typeof tokensConfig>) =>
        redis ? new RedisAccountLockStore(redis, config.redisFailureMode) : new InMemoryAccountLockStore(),
      inject: [REDIS, tokensConfig.KEY],
    },
    {
      provide: AccountStateSync,
      useFactory: (redis: RedisConnections | null) => (redis ? new RedisAccountStateSync(redis) : null),
      inject: [REDIS],
    },
    {
      provide: PeerQueues,
      useFactory: (redis: RedisConnections | null) => (redis ? new RedisPeerQueues(redis) : null),
      inject: [REDIS],
    },
    {
      provide: SessionOwnerStore,
      useFactory: (redis: RedisConnections | null, config: ConfigType<typeof tokensConfig>) =>
        redis ? new RedisSessionOwnerStore(redis, config.sessionTtlMs) : new InMemorySessionOwnerStore(config),
      inject: [REDIS, tokensConfig.KEY],
    },
    {
      provide: ConversationStore,
      useFactory: (redis: RedisConnections | null, config: ConfigType<typeof tokensConfig>) =>
        redis ? new RedisConversationStore(redis, config.conversationTtlMs) : new InMemoryConversationStore(config),
      inject: [REDIS, tokensConfig.KEY],
    },
  ],
  exports: [
    TokenPoolService,
    CredentialsService,
    AccountsGuard,
    ApiKeyGuard,
    SessionOwnerStore,
    ConversationStore,
    ModelCapabilitiesService,
  ],
})
export class TokensModule {}
