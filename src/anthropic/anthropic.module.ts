import { Module } from '@nestjs/common';
import { SseModule } from '../common/sse/sse.module';
import { ChatModule } from '../chat/chat.module';
import { TokensModule } from '../tokens/tokens.module';
import { MessagesController } from './messages.controller';

/** The Anthropic Messages API: an adapter (parser, encoders, controller) over ChatModule's pipeline. */
@Module({
  imports: [ChatModule, TokensModule, SseModule],
  controllers: [MessagesController],
})
export class AnthropicModule {}
