import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { SseModule } from '../common/sse/sse.module';
import { TokensModule } from '../tokens/tokens.module';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';
import { InMemoryResponseStore } from './store/in-memory-response-store';
import { ResponseStore } from './store/response-store';

/** The OpenAI Responses API (docs/api.md §9): an adapter over ChatModule's pipeline, with its response store. */
@Module({
  imports: [ChatModule, TokensModule, SseModule],
  controllers: [ResponsesController],
  providers: [ResponsesService, { provide: ResponseStore, useClass: InMemoryResponseStore }],
})
export class ResponsesModule {}
