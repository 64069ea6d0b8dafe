import { HttpStatus } from '@nestjs/common';
import type { ApiError } from './api-error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  /** Absent in a stream's error event. */
  request_id?: string;
}

/** Anthropic's own status for the error: an `overloaded` one is a 529, every other keeps its status. */
export function anthropicStatus(error: ApiError): number {
  return error.overloaded ? 529 : error.getStatus();
}

/** Anthropic's `error.type` for a status (anything unlisted falls back by class). */
function anthropicType(status: number): string {
  switch (status) {
    case HttpStatus.UNAUTHORIZED:
      return 'authentication_error';
    case HttpStatus.PAYMENT_REQUIRED:
      return 'billing_error';
    case HttpStatus.FORBIDDEN:
      return 'permission_error';
    case HttpStatus.NOT_FOUND:
      return 'not_found_error';
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return 'request_too_large';
    case HttpStatus.TOO_MANY_REQUESTS:
      return 'rate_limit_error';
    case HttpStatus.GATEWAY_TIMEOUT:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The error in Anthropic's wire shape, as a JSON body (with the request id) or a stream's `error` event. */
export function toAnthropicErrorBody(error: ApiError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = {
    type: 'error',
    error: { type: anthropicType(anthropicStatus(error)), message: error.message },
  };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}
