import { Module } from '@nestjs/common';
import { DeepSeekModule } from '../deepseek/deepseek.module';
import { TokensModule } from '../tokens/tokens.module';
import { AccountFailover } from './account-failover';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ModelsModule } from './models.module';

@Module({
  imports: [DeepSeekModule, TokensModule, ModelsModule],
  controllers: [ChatController],
  providers: [ChatService, AccountFailover],
  exports: [ChatService],
})
export class ChatModule {}
