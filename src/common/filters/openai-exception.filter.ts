import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { retryHeadersOf } from '../errors/api-error';
import { toOpenAiErrorBody } from '../errors/openai-error-body';
import { requestOrigin } from '../errors/request-origin';
import { toApiError } from '../errors/to-api-error';

/**
 * Writes every failure as OpenAI's `{error:{message,type,param,code}}` with its real status. Once a
 * stream has started the status line is gone; the stream itself reports errors in-band, so here we
 * only make sure the response ends (an unexpected error is still logged).
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const error = toApiError(exception, requestOrigin(ctx.getRequest<Request>()));
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.set(retryHeadersOf(error));
    res.status(error.getStatus()).json(toOpenAiErrorBody(error));
  }
}
