import { HttpException, HttpStatus } from '@nestjs/common';

export interface ApiErrorOptions {
  /** Our machine-readable reason (`account_busy`, `context_length_exceeded`…), the same in every wire format. */
  code?: string | null;
  /** The request field at fault. */
  param?: string | null;
  /** Seconds; sent as `retry-after` (and `retry-after-ms`). */
  retryAfterSec?: number;
  /** `false` tells SDKs not to replay the request (`x-should-retry`). */
  shouldRetry?: boolean;
  /**
   * The accounts were all taken until the wait ran out: the server lacks capacity, the client did nothing
   * wrong. OpenAI hears a 429 either way; Anthropic's clients expect a 529 `overloaded_error`.
   */
  overloaded?: boolean;
}

/**
 * A failure as the API answers it, in no wire format: status, message, code, the field at fault and retry
 * hints. Throw it for what the client must be told; `toApiError` maps anything else, and an encoder
 * (`toOpenAiErrorBody`) gives it a client's shape.
 */
export class ApiError extends HttpException {
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfterSec?: number;
  readonly shouldRetry?: boolean;
  readonly overloaded: boolean;

  constructor(status: number, message: string, options: ApiErrorOptions = {}) {
    super(message, status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryAfterSec = options.retryAfterSec;
    this.shouldRetry = options.shouldRetry;
    this.overloaded = options.overloaded ?? false;
  }

  static badRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, message, { param, code });
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, message, { code: 'invalid_api_key' });
  }

  static notFound(message: string, code: string | null = null, param: string | null = null): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, message, { code, param });
  }

  static rateLimited(message: string, retryAfterSec: number, code = 'rate_limit_exceeded'): ApiError {
    return new ApiError(HttpStatus.TOO_MANY_REQUESTS, message, { code, retryAfterSec });
  }
}

/** The retry hints as HTTP headers; every wire format sends them alike. */
export function retryHeadersOf(error: ApiError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterSec !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSec)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(error.retryAfterSec * 1000)));
  }
  if (error.shouldRetry !== undefined) headers['x-should-retry'] = String(error.shouldRetry);
  return headers;
}
