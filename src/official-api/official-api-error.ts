import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';

/**
 * What went wrong with the official API: `auth` (401), `insufficient_balance` (402), `invalid_request`
 * (400), `invalid_parameters` (422), `rate_limited` (429), `server_error` (500), `overloaded` (503 or an
 * answer stopped for lack of resources), and on our side of it `network`, `timeout`, `bad_response`,
 * `incomplete` (the answer ended before its finish).
 */
export type OfficialApiErrorKind =
  | 'auth'
  | 'insufficient_balance'
  | 'invalid_request'
  | 'invalid_parameters'
  | 'rate_limited'
  | 'server_error'
  | 'overloaded'
  | 'network'
  | 'timeout'
  | 'bad_response'
  | 'incomplete';

export class OfficialApiError extends Error {
  override readonly name = 'OfficialApiError';

  constructor(
    readonly kind: OfficialApiErrorKind,
    message: string,
    /** The API's own message (never the key; it may quote the request, so it is not logged). */
    readonly upstreamMessage?: string,
    /** From `retry-after`, for a 429. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Worth another try on another key (or the same one later): the request itself is not at fault. */
  get retryable(): boolean {
    return !(this.kind === 'invalid_request' || this.kind === 'invalid_parameters');
  }
}

/** The error an HTTP status of the API stands for. */
export function officialStatusError(
  status: number,
  upstreamMessage: string | undefined,
  retryAfterMs?: number,
): OfficialApiError {
  const said = upstreamMessage ? `: ${upstreamMessage}` : '';
  switch (status) {
    case 400:
      return new OfficialApiError('invalid_request', `The official API refused the request${said}`, upstreamMessage);
    case 401:
      return new OfficialApiError('auth', 'The official API rejected the key (401).', upstreamMessage);
    case 402:
      return new OfficialApiError(
        'insufficient_balance',
        'The official API key has no balance left (402).',
        upstreamMessage,
      );
    case 422:
      return new OfficialApiError(
        'invalid_parameters',
        `The official API refused the request's parameters${said}`,
        upstreamMessage,
      );
    case 429:
      return new OfficialApiError(
        'rate_limited',
        'The official API is rate-limiting the key (429).',
        upstreamMessage,
        retryAfterMs,
      );
    case 503:
      return new OfficialApiError('overloaded', 'The official API is overloaded (503).', upstreamMessage);
    default:
      return new OfficialApiError('server_error', `The official API failed (${status}).`, upstreamMessage);
  }
}

/**
 * What the client is told, in no wire format yet (the exception filter or the encoder shapes it). Key
 * failures (401, 402) reach a client only when no key is left: `ApiKeyPool` says so with a 503.
 */
export function officialApiError(error: OfficialApiError): ApiError {
  switch (error.kind) {
    case 'invalid_request':
      return ApiError.badRequest(`${error.message}.`, null, 'upstream_rejected');
    case 'invalid_parameters':
      return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, `${error.message}.`, { code: 'invalid_parameters' });
    case 'rate_limited':
      return ApiError.rateLimited(
        'The official DeepSeek API is rate-limiting this server; try again later.',
        Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000)),
      );
    case 'overloaded':
      return new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'The official DeepSeek API is overloaded; try again shortly.',
        {
          code: 'upstream_overloaded',
          retryAfterSec: 5,
          overloaded: true,
        },
      );
    case 'timeout':
      return new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'The official DeepSeek API did not answer in time.', {
        code: 'upstream_timeout',
      });
    case 'auth':
    case 'insufficient_balance':
      return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, `${error.message} No other key could serve.`, {
        code: 'api_keys_unavailable',
        retryAfterSec: 60,
      });
    case 'server_error':
    case 'network':
    case 'bad_response':
    case 'incomplete':
      return new ApiError(HttpStatus.BAD_GATEWAY, `${error.message} Try again.`, {
        code: 'upstream_error',
        retryAfterSec: 1,
      });
  }
}
