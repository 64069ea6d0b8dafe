import { HttpStatus } from '@nestjs/common';
import type { ApiError } from './api-error';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's `type` for a status: a bad API key is an `invalid_request_error` and a rate limit `requests`, as OpenAI answers. */
function openAiType(status: number): string {
  if (status === HttpStatus.FORBIDDEN) return 'permission_error';
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The error in OpenAI's wire shape, as a JSON body or an in-stream frame carries it. */
export function toOpenAiErrorBody(error: ApiError): OpenAiErrorBody {
  const { message, param, code } = error;
  return { error: { message, type: openAiType(error.getStatus()), param, code } };
}
