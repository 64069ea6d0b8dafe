import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { OpenAiError } from '../common/errors/openai-error';
import { requestAbortController } from '../common/http/client-abort';
import { InflightRegistry } from '../common/lifecycle/inflight-registry';
import { toSseReadable } from '../common/sse/sse-readable';
import { appConfig, type AppConfig } from '../config/app.config';
import type { Account } from '../tokens/account';
import { AccountsGuard } from '../tokens/accounts.guard';
import { RequestAccounts } from '../tokens/request-accounts.decorator';
import { buildChatPlan } from './chat-plan';
import { ChatService } from './chat.service';
import type { ChatCompletionRequest } from './dto/chat-completion-request';
import { ChatCompletionRequestPipe } from './dto/chat-completion-request.pipe';
import type { ChatCompletion } from './openai/openai-types';
import { sseErrorFrame } from './openai/openai-sse';
import { toOpenAiError } from './upstream-error-map';

@Controller('v1/chat')
@UseGuards(AccountsGuard)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly inflight: InflightRegistry,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  @Post('completions')
  @HttpCode(200)
  async create(
    @Body(ChatCompletionRequestPipe) body: ChatCompletionRequest,
    @RequestAccounts() accounts: readonly Account[],
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChatCompletion | StreamableFile> {
    if (this.inflight.draining) {
      throw new OpenAiError(HttpStatus.SERVICE_UNAVAILABLE, 'The server is shutting down; retry the request.', {
        code: 'server_shutting_down',
        retryAfterSec: 1,
      });
    }
    const plan = buildChatPlan(body, this.config);
    const abort = requestAbortController(req, res);
    res.once('close', this.inflight.track(abort));
    if (!plan.stream) return this.chat.complete(plan, accounts, abort.signal);

    const frames = this.chat.stream(plan, accounts, abort.signal);
    // A pre-flight that settles soon keeps its real HTTP status; a slow one (queue, PoW) commits to a 200 stream with keep-alives.
    await Promise.race([frames, delay(this.config.keepAliveIntervalMs)]);
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    const readable = toSseReadable(frames, {
      keepAliveMs: this.config.keepAliveIntervalMs,
      errorFrame: (error) => sseErrorFrame(toOpenAiError(error).toBody()),
    });
    return new StreamableFile(readable, { type: 'text/event-stream' });
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
