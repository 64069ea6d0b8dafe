import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { appConfig, AppConfig } from '../../config/app.config';
import { ChatCompletionRequest } from './chat-completion-request';
import { parseChatCompletionRequest } from './parse-chat-request';

/** `@Body(ChatCompletionRequestPipe) request: ChatCompletionRequest`: the body checked by hand (parse-chat-request.ts). */
@Injectable()
export class ChatCompletionRequestPipe implements PipeTransform<unknown, ChatCompletionRequest> {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  transform(body: unknown): ChatCompletionRequest {
    return parseChatCompletionRequest(body, this.config);
  }
}
