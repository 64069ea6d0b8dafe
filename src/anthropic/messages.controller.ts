import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  Res,
  StreamableFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import { DrainingGuard } from '../common/lifecycle/draining.guard';
import { InflightInterceptor } from '../common/lifecycle/inflight.interceptor';
import { SseResponseService } from '../common/sse/sse-response.service';
import { appConfig, type AppConfig } from '../config/app.config';
import { type ChatCall, ChatCallOf } from '../chat/chat-call.decorator';
import { buildChatPlan } from '../chat/chat-plan';
import { ChatService } from '../chat/chat.service';
import { UpstreamHeadersInterceptor } from '../chat/upstream-headers.interceptor';
import { AccountsGuard } from '../tokens/auth/accounts.guard';
import { type RequestCredentials, RequestCredentialsOf } from '../tokens/auth/request-credentials.decorator';
import { anthropicEncoder } from './anthropic-encoder';
import { AnthropicCountTokensPipe, AnthropicMessagesPipe } from './anthropic-request.pipe';
import type { AnthropicMessage, AnthropicTokenCount } from './anthropic-types';
import type { AnthropicRequest } from './parse-anthropic-request';

/** Anthropic Messages over the one chat pipeline, at the root and under `/anthropic` (docs/api.md §8). */
@Controller(['v1/messages', 'anthropic/v1/messages'])
@UseGuards(DrainingGuard, AccountsGuard)
@UseInterceptors(InflightInterceptor, UpstreamHeadersInterceptor)
export class MessagesController {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseResponseService,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  create(
    @Body(AnthropicMessagesPipe) { chat, clientModel }: AnthropicRequest,
    @RequestCredentialsOf() credentials: RequestCredentials,
    @ChatCallOf() call: ChatCall,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnthropicMessage | StreamableFile> {
    const encoder = anthropicEncoder(clientModel);
    if (!chat.stream) return this.chat.complete(chat, credentials, call, encoder);
    return this.sse.respond(res, this.chat.stream(chat, credentials, call, encoder));
  }

  /** The prompt we would send, counted with the estimator the usage figures use. */
  @Post('count_tokens')
  @HttpCode(200)
  countTokens(@Body(AnthropicCountTokensPipe) { chat }: AnthropicRequest): AnthropicTokenCount {
    return { input_tokens: buildChatPlan(chat, this.config).promptTokens };
  }
}
