import { SessionJanitorService } from './continuation/session-janitor.service';
import { ConversationThreadsService } from './continuation/conversation-threads.service';
import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { SseModule } from '../common/sse/sse.module';
import { DeepSeekModule } from '../deepseek/deepseek.module';
import { OfficialApiModule } from '../official-api/official-api.module';
import { TokensModule } from '../tokens/tokens.module';
import { AccountFailoverService } from './account-failover.service';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ModelsModule } from './models.module';

@Module({
  imports: [DeepSeekModule, OfficialApiModule, TokensModule, ModelsModule, SseModule, AttachmentsModule],
  controllers: [ChatController],
  providers: [ChatService, AccountFailoverService, ConversationThreadsService, SessionJanitorService],
  exports: [ChatService],
})
export class ChatModule {}
