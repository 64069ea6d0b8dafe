import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { appConfig, type AppConfig } from '../../config/app.config';
import { parseResponsesRequest } from './parse-responses-request';
import type { ResponsesRequest } from './responses-request';

/** `@Body(ResponsesRequestPipe) request: ResponsesRequest`: the body checked by hand (parse-responses-request.ts). */
@Injectable()
export class ResponsesRequestPipe implements PipeTransform<unknown, ResponsesRequest> {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  transform(body: unknown): ResponsesRequest {
    return parseResponsesRequest(body, this.config);
  }
}
