import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { appConfig, AppConfig } from '../../config/app.config';
import { ChatCompletionRequest } from './chat-completion-request';
import { parseChatCompletionRequest } from './parse-chat-request';

/**
 * `@Body(ChatCompletionRequestPipe) request: ChatCompletionRequest`. The parameter's type is an
 * interface, so the global ValidationPipe sees `Object`, leaves the raw body alone, and this pipe does
 * the checking.
 */
@Injectable()
export class ChatCompletionRequestPipe implements PipeTransform<unknown, ChatCompletionRequest> {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  transform(body: unknown): ChatCompletionRequest {
    return parseChatCompletionRequest(body, this.config);
  }
}
