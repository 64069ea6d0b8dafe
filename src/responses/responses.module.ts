import { Module } from '@nestjs/common';
import { REDIS, RedisModule } from '../common/redis/redis.module';
import type { RedisConnections } from '../common/redis/redis-connections';
import { appConfig, type AppConfig } from '../config/app.config';
import { ChatModule } from '../chat/chat.module';
import { SseModule } from '../common/sse/sse.module';
import { TokensModule } from '../tokens/tokens.module';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';
import { InMemoryResponseStore } from './store/in-memory-response-store';
import { RedisResponseStore } from './store/redis-response-store';
import { ResponseStore } from './store/response-store';

/** The OpenAI Responses API (docs/api.md §9): an adapter over ChatModule's pipeline, with its response store. */
@Module({
  imports: [ChatModule, TokensModule, SseModule, RedisModule],
  controllers: [ResponsesController],
  providers: [
    ResponsesService,
    {
      provide: ResponseStore,
      useFactory: (redis: RedisConnections | null, config: AppConfig) =>
        redis ? new RedisResponseStore(redis, config) : new InMemoryResponseStore(config),
      inject: [REDIS, appConfig.KEY],
    },
  ],
})
export class ResponsesModule {}
