import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { OpenAiError } from '../errors/openai-error';
import { JsonShapeError } from '../http/json-shape';
import { requestIdOf } from '../http/request-id.middleware';
import { quotable } from '../logging/client-text';

/** Errors raised by Express' body parser (http-errors objects) before any route runs. */
interface BodyParserError {
  type?: string;
  message?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
}

/** A client-side body failure: body-parser's typed errors, or a 4xx it passes on untyped (zlib on a bad gzip). */
const isBodyParserError = (e: unknown): e is BodyParserError => {
  if (typeof e !== 'object' || e === null) return false;
  const { type, status, expose } = e as BodyParserError;
  if (typeof type === 'string') return /^(entity|request|encoding)\.|^charset\.unsupported$/.test(type);
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * Writes every failure as OpenAI's `{error:{message,type,param,code}}` with its real status. Once a
 * stream has started the status line is gone; the stream itself reports errors in-band, so here we
 * only make sure the response ends.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const error = this.toOpenAiError(exception, req);
    if (error.retryAfterSec !== undefined) {
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSec))));
      res.setHeader('retry-after-ms', String(Math.max(0, Math.round(error.retryAfterSec * 1000))));
    }
    if (error.shouldRetry !== undefined) res.setHeader('x-should-retry', String(error.shouldRetry));
    res.status(error.getStatus()).json(error.toBody());
  }

  private toOpenAiError(exception: unknown, req: Request): OpenAiError {
    if (exception instanceof OpenAiError) return exception;
    if (isBodyParserError(exception)) return this.fromBodyParser(exception);
    if (exception instanceof HttpException) return this.fromHttpException(exception, req);
    const requestId = requestIdOf(req);
    this.logger.error(
      `unhandled error on ${req.method} ${quotable(req.path)} (request ${requestId})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new OpenAiError(HttpStatus.INTERNAL_SERVER_ERROR, `Internal server error (request id ${requestId}).`, {
      code: 'internal_error',
    });
  }

  private fromBodyParser(e: BodyParserError): OpenAiError {
    const status = e.status ?? e.statusCode ?? HttpStatus.BAD_REQUEST;
    if (e.type === 'entity.too.large') {
      return new OpenAiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        `Request body is larger than the limit of ${e.limit} bytes.`,
        {
          code: 'request_too_large',
        },
      );
    }
    if (e.type === JsonShapeError.TYPE && e.message) return OpenAiError.badRequest(e.message, null, 'json_too_complex');
    return new OpenAiError(
      status >= 400 && status < 500 ? status : HttpStatus.BAD_REQUEST,
      'The request body could not be read.',
      {
        code: e.type ? e.type.replace(/\./g, '_') : 'invalid_body',
      },
    );
  }

  private fromHttpException(e: HttpException, req: Request): OpenAiError {
    const status: number = e.getStatus();
    if (status === HttpStatus.NOT_FOUND) {
      return OpenAiError.notFound(`Unknown request URL: ${req.method} ${quotable(req.path)}.`, 'unknown_url');
    }
    if (status === HttpStatus.TOO_MANY_REQUESTS) {
      return OpenAiError.rateLimited('Too many requests. Slow down and try again shortly.', 10);
    }
    const response = e.getResponse();
    const raw =
      typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : e.message;
    // Nest turns body-parser's SyntaxError into a bare BadRequestException; our own code throws OpenAiError.
    if (e instanceof BadRequestException && /JSON/.test(message)) {
      return OpenAiError.badRequest(`The request body is not valid JSON: ${message}.`, null, 'invalid_json');
    }
    return new OpenAiError(status, message);
  }
}
