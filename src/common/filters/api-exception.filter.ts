import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { anthropicStatus, toAnthropicErrorBody } from '../errors/anthropic-error-body';
import { retryHeadersOf } from '../errors/api-error';
import { wantsAnthropicShape } from '../errors/error-shape';
import { toOpenAiErrorBody } from '../errors/openai-error-body';
import { requestOrigin } from '../errors/request-origin';
import { toApiError } from '../errors/to-api-error';

/**
 * Writes every failure with its real status, in the caller's API shape: Anthropic's
 * `{type:"error",error:{type,message},request_id}` (and a `request-id` header) on Anthropic routes,
 * OpenAI's `{error:{message,type,param,code}}` everywhere else. Middlewares, guards and pipes end here
 * too. Once a stream has started the status line is gone; the stream itself reports errors in-band, so
 * here we only make sure the response ends (an unexpected error is still logged).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const origin = requestOrigin(req);
    const error = toApiError(exception, origin);
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.set(retryHeadersOf(error));
    if (wantsAnthropicShape(req)) {
      res.set('request-id', origin.id);
      res.status(anthropicStatus(error)).json(toAnthropicErrorBody(error, origin.id));
      return;
    }
    res.status(error.getStatus()).json(toOpenAiErrorBody(error));
  }
}
