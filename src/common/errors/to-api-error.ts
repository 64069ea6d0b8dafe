import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { UpstreamError } from '../../deepseek/upstream-error';
import { OfficialApiError, officialApiError } from '../../official-api/official-api-error';
import { PoolError } from '../../tokens/pool/pool-errors';
import { isAbortError } from '../lifecycle/abort';
import { ShutdownError } from '../lifecycle/inflight-registry';
import { quotable } from '../logging/client-text';
import { ApiError } from './api-error';
import { bodyParserApiError, httpApiError, isBodyParserError } from './http-api-error';
import { poolApiError } from './pool-api-error';
import type { RequestOrigin } from './request-origin';
import { upstreamApiError } from './upstream-api-error';

/** nginx's "client closed request": nobody reads it, but it keeps a departed client out of the error logs. */
const CLIENT_CLOSED_REQUEST = 499;

const logger = new Logger('UnexpectedError');

/**
 * What the client is told about anything thrown: our own ApiError as it is; upstream, pool, shutdown,
 * abort, body-parser and Nest errors in our words. Anything else is a bug: it is logged here (with the
 * request id when `origin` is given) and answered 500 `internal_error`, its message kept out of the answer.
 */
export function toApiError(thrown: unknown, origin?: RequestOrigin): ApiError {
  if (thrown instanceof ApiError) return thrown;
  if (thrown instanceof UpstreamError) return upstreamApiError(thrown);
  if (thrown instanceof PoolError) return poolApiError(thrown);
  if (thrown instanceof OfficialApiError) return officialApiError(thrown);
  if (thrown instanceof ShutdownError) {
    return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, thrown.message, {
      code: 'server_shutting_down',
      retryAfterSec: 1,
    });
  }
  if (isAbortError(thrown)) {
    return new ApiError(CLIENT_CLOSED_REQUEST, 'The client closed the request.', { code: 'client_closed_request' });
  }
  if (isBodyParserError(thrown)) return bodyParserApiError(thrown);
  if (thrown instanceof HttpException) return httpApiError(thrown, origin);
  return unexpectedError(thrown, origin);
}

function unexpectedError(thrown: unknown, origin: RequestOrigin | undefined): ApiError {
  const where = origin ? ` on ${origin.method} ${quotable(origin.path)} (request ${origin.id})` : '';
  logger.error(`unexpected error${where}`, thrown instanceof Error ? thrown.stack : String(thrown));
  const id = origin ? ` (request id ${origin.id})` : '';
  return new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, `Internal server error${id}.`, { code: 'internal_error' });
}
