import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { JsonShapeError } from '../http/json-shape';
import { quotable } from '../logging/client-text';
import { ApiError } from './api-error';
import type { RequestOrigin } from './request-origin';

/** Errors raised by Express' body parser (http-errors objects) before any route runs. */
export interface BodyParserError {
  type?: string;
  message?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
}

/** A client-side body failure: body-parser's typed errors, or a 4xx it passes on untyped (zlib on a bad gzip). */
export function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null) return false;
  const { type, status, expose } = error as BodyParserError;
  if (typeof type === 'string') return /^(entity|request|encoding)\.|^charset\.unsupported$/.test(type);
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

export function bodyParserApiError(error: BodyParserError): ApiError {
  const status = error.status ?? error.statusCode ?? HttpStatus.BAD_REQUEST;
  if (error.type === 'entity.too.large') {
    const message = `Request body is larger than the limit of ${error.limit} bytes.`;
    return new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, message, { code: 'request_too_large' });
  }
  if (error.type === JsonShapeError.TYPE && error.message) {
    return ApiError.badRequest(error.message, null, 'json_too_complex');
  }
  return new ApiError(
    status >= 400 && status < 500 ? status : HttpStatus.BAD_REQUEST,
    'The request body could not be read.',
    { code: error.type ? error.type.replace(/\./g, '_') : 'invalid_body' },
  );
}

/** Nest's own exceptions (no route, a guard's refusal, the throttler) in our words; the path is the client's text. */
export function httpApiError(error: HttpException, origin?: RequestOrigin): ApiError {
  const status = error.getStatus();
  if (status === HttpStatus.NOT_FOUND) {
    const url = origin ? `: ${origin.method} ${quotable(origin.path)}` : '';
    return ApiError.notFound(`Unknown request URL${url}.`, 'unknown_url');
  }
  if (status === HttpStatus.TOO_MANY_REQUESTS) {
    return ApiError.rateLimited('Too many requests. Slow down and try again shortly.', 10);
  }
  const response = error.getResponse();
  const raw =
    typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
  const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : error.message;
  // Nest turns body-parser's SyntaxError into a bare BadRequestException; our own code throws ApiError.
  if (error instanceof BadRequestException && /JSON/.test(message)) {
    return ApiError.badRequest(`The request body is not valid JSON: ${message}.`, null, 'invalid_json');
  }
  return new ApiError(status, message);
}
