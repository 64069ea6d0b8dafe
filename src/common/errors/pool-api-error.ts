import { HttpStatus } from '@nestjs/common';
import type { PoolError, PoolRefusal } from '../../tokens/pool/pool-errors';
import { ApiError } from './api-error';

const STATUS_AND_CODE: Readonly<Record<PoolRefusal, readonly [number, string]>> = {
  // Every token the client sent is dead: its credentials are what is wrong.
  tokens_rejected: [HttpStatus.UNAUTHORIZED, 'invalid_api_key'],
  accounts_banned: [HttpStatus.FORBIDDEN, 'account_banned'],
  accounts_muted: [HttpStatus.FORBIDDEN, 'account_muted'],
  accounts_busy: [HttpStatus.TOO_MANY_REQUESTS, 'rate_limit_exceeded'],
  queue_full: [HttpStatus.TOO_MANY_REQUESTS, 'rate_limit_exceeded'],
  session_account_unavailable: [HttpStatus.BAD_REQUEST, 'conversation_account_unavailable'],
  shutting_down: [HttpStatus.SERVICE_UNAVAILABLE, 'server_shutting_down'],
  lock_store_unavailable: [HttpStatus.SERVICE_UNAVAILABLE, 'lock_store_unavailable'],
  accounts_exhausted: [HttpStatus.SERVICE_UNAVAILABLE, 'accounts_exhausted'],
};

export function poolApiError(error: PoolError): ApiError {
  const [status, code] = STATUS_AND_CODE[error.refusal];
  return new ApiError(status, error.message, {
    code,
    retryAfterSec: error.retryAfterSec,
    overloaded: error.refusal === 'accounts_busy',
  });
}
