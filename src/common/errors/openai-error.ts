import { HttpException, HttpStatus } from '@nestjs/common';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAiErrorOptions {
  type?: string;
  param?: string | null;
  code?: string | null;
  /** Seconds; sent as `retry-after` (and `retry-after-ms`). */
  retryAfterSec?: number;
  /** `false` tells SDKs not to replay the request (`x-should-retry`). */
  shouldRetry?: boolean;
}

const defaultType = (status: number): string => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
};

/** An error in OpenAI's wire shape, with the HTTP status and retry hints it travels with. */
export class OpenAiError extends HttpException {
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfterSec?: number;
  readonly shouldRetry?: boolean;

  constructor(status: number, message: string, options: OpenAiErrorOptions = {}) {
    super(message, status);
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfterSec = options.retryAfterSec;
    this.shouldRetry = options.shouldRetry;
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  static badRequest(message: string, param: string | null = null, code: string | null = null): OpenAiError {
    return new OpenAiError(HttpStatus.BAD_REQUEST, message, { type: 'invalid_request_error', param, code });
  }

  static unauthorized(message: string): OpenAiError {
    return new OpenAiError(HttpStatus.UNAUTHORIZED, message, {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  }

  static notFound(message: string, code: string | null = null, param: string | null = null): OpenAiError {
    return new OpenAiError(HttpStatus.NOT_FOUND, message, { type: 'invalid_request_error', code, param });
  }

  static rateLimited(message: string, retryAfterSec: number, code = 'rate_limit_exceeded'): OpenAiError {
    return new OpenAiError(HttpStatus.TOO_MANY_REQUESTS, message, { type: 'requests', code, retryAfterSec });
  }
}
