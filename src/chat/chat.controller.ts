import { Body, Controller, HttpCode, Post, Res, StreamableFile, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { DrainingGuard } from '../common/lifecycle/draining.guard';
import { InflightInterceptor } from '../common/lifecycle/inflight.interceptor';
import { SseResponseService } from '../common/sse/sse-response.service';
import { AccountsGuard } from '../tokens/auth/accounts.guard';
import { type RequestCredentials, RequestCredentialsOf } from '../tokens/auth/request-credentials.decorator';
import { type ChatCall, ChatCallOf } from './chat-call.decorator';
import { ChatService } from './chat.service';
import type { ChatCompletionRequest } from './dto/chat-completion-request';
import { ChatCompletionRequestPipe } from './dto/chat-completion-request.pipe';
import { UpstreamHeadersInterceptor } from './upstream-headers.interceptor';
import { openAiEncoder } from './openai/openai-encoder';
import type { ChatCompletion } from './openai/openai-types';

@Controller('v1/chat')
@UseGuards(DrainingGuard, AccountsGuard)
@UseInterceptors(InflightInterceptor, UpstreamHeadersInterceptor)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseResponseService,
  ) {}

  @Post('completions')
  @HttpCode(200)
  create(
    @Body(ChatCompletionRequestPipe) body: ChatCompletionRequest,
    @RequestCredentialsOf() credentials: RequestCredentials,
    @ChatCallOf() call: ChatCall,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChatCompletion | StreamableFile> {
    if (!body.stream) return this.chat.complete(body, credentials, call, openAiEncoder);
    return this.sse.respond(res, this.chat.stream(body, credentials, call, openAiEncoder));
  }
}
