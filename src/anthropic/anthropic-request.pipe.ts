import { Inject, Injectable, Logger, PipeTransform } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app.config';
import { type AnthropicRequest, parseAnthropicRequest } from './parse-anthropic-request';

abstract class AnthropicBodyPipe implements PipeTransform<unknown, AnthropicRequest> {
  private readonly logger = new Logger('AnthropicRequest');

  constructor(
    private readonly config: AppConfig,
    private readonly purpose: 'generate' | 'count',
  ) {}

  transform(body: unknown): AnthropicRequest {
    const request = parseAnthropicRequest(body, this.config, this.purpose);
    // A count, not the tools' names or types: those are client strings.
    if (request.skippedTools > 0) this.logger.log(`skipped ${request.skippedTools} server tool(s) we cannot run`);
    return request;
  }
}

/** `POST /v1/messages`: the body checked by hand (parse-anthropic-request.ts). */
@Injectable()
export class AnthropicMessagesPipe extends AnthropicBodyPipe {
  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    super(config, 'generate');
  }
}

/** `POST /v1/messages/count_tokens`: the same body, `max_tokens` optional. */
@Injectable()
export class AnthropicCountTokensPipe extends AnthropicBodyPipe {
  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    super(config, 'count');
  }
}
