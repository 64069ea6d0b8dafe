import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  StreamableFile,
  Optional,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../common/errors/api-error';
import { toOpenAiErrorBody } from '../common/errors/openai-error-body';
import { requestOrigin } from '../common/errors/request-origin';
import { toApiError } from '../common/errors/to-api-error';
import { requestAbortController } from '../common/lifecycle/abort';
import { InflightRegistry } from '../common/lifecycle/inflight-registry';
import { MetricsService } from '../common/metrics/metrics.service';
import { settlesWithin } from '../common/lifecycle/settles-within';
import { traceChat } from './chat-trace';
import { toSseReadable } from '../common/sse/sse-readable';
import { appConfig, type AppConfig } from '../config/app.config';
import { AccountsGuard } from '../tokens/auth/accounts.guard';
import { type RequestCredentials, RequestCredentialsOf } from '../tokens/auth/request-credentials.decorator';
import { buildChatPlan } from './chat-plan';
import { ChatService } from './chat.service';
import type { ChatCompletionRequest } from './dto/chat-completion-request';
import { ChatCompletionRequestPipe } from './dto/chat-completion-request.pipe';
import type { ChatCompletion } from './openai/openai-types';
import { sseErrorFrame } from './openai/openai-sse';

@Controller('v1/chat')
@UseGuards(AccountsGuard)
export class ChatController {
  private readonly logger = new Logger(ChatController.name);

  constructor(
    private readonly chat: ChatService,
    private readonly inflight: InflightRegistry,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  @Post('completions')
  @HttpCode(200)
  async create(
    @Body(ChatCompletionRequestPipe) body: ChatCompletionRequest,
    @RequestCredentialsOf() credentials: RequestCredentials,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChatCompletion | StreamableFile> {
    if (this.inflight.draining) {
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'The server is shutting down; retry the request.', {
        code: 'server_shutting_down',
        retryAfterSec: 1,
      });
    }
    const plan = buildChatPlan(body, this.config);
    const trace = traceChat(res, plan);
    const abort = requestAbortController(req, res);
    res.once('close', this.inflight.track(abort));
    if (!plan.stream) {
      // Failing after the answer started is still an HTTP status here: nothing was sent yet.
      return this.chat.complete(plan, credentials, abort.signal, trace).then((completion) => {
        setModelFallbackHeader(res, trace.modelFallback);
        return completion;
      });
    }

    const source = this.chat.stream(plan, credentials, abort.signal, trace);
    // A pre-flight that settles soon keeps its real HTTP status; a slow one (queue, PoW) commits to a 200 stream with keep-alives.
    await settlesWithin(source, this.config.keepAliveIntervalMs);
    setModelFallbackHeader(res, trace.modelFallback);
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    const readable = toSseReadable(source, {
      keepAliveMs: this.config.keepAliveIntervalMs,
      coalesceMs: this.config.streamCoalesceMs,
      writeTimeoutMs: this.config.clientWriteTimeoutMs,
      // Closing the response aborts the request: the generation is stopped upstream and the account released.
      onWriteTimeout: (timeout) => {
        this.logger.warn(`stream cut: ${timeout.message}; the upstream generation is stopped`);
        this.metrics?.clientWriteTimeout();
        res.destroy();
      },
      errorFrame: (error) => sseErrorFrame(toOpenAiErrorBody(toApiError(error, requestOrigin(req)))),
    });
    return new StreamableFile(readable, { type: 'text/event-stream; charset=utf-8' });
  }
}

/** Tells the client that another DeepSeek mode answered than its model name asked for. */
function setModelFallbackHeader(res: Response, fallback: string | undefined): void {
  if (fallback !== undefined && !res.headersSent) res.setHeader('x-deepseek-model-fallback', fallback);
}
