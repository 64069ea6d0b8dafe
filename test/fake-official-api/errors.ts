import type { ServerResponse } from 'node:http';
import { sendJson } from '../fake-deepseek/http-responses';
import type { FaultSpec, FaultStatus, QueuedFault } from './types';

export { sendJson };

interface ErrorShape {
  message: string;
  type: string;
  code: string;
}

/**
 * Messages from the docs' error-code table. 401 and 402 bodies are DeepSeek's observed ones; the types
 * of 429/500/503 are not documented and follow OpenAI's names.
 */
export const ERRORS: Record<FaultStatus | 404, ErrorShape> = {
  400: { message: 'Invalid Format', type: 'invalid_request_error', code: 'invalid_request_error' },
  401: { message: 'Authentication Fails', type: 'authentication_error', code: 'invalid_request_error' },
  402: { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' },
  404: { message: 'Not Found', type: 'invalid_request_error', code: 'invalid_request_error' },
  422: { message: 'Invalid Parameters', type: 'invalid_request_error', code: 'invalid_request_error' },
  429: { message: 'Rate Limit Reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  500: { message: 'Server Error', type: 'server_error', code: 'server_error' },
  503: { message: 'Server Overloaded', type: 'server_error', code: 'server_error' },
};

export function errorBody(status: FaultStatus | 404, message?: string): { error: object } {
  const shape = ERRORS[status];
  return { error: { message: message ?? shape.message, type: shape.type, param: null, code: shape.code } };
}

export function sendError(
  res: ServerResponse,
  status: FaultStatus | 404,
  message?: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, errorBody(status, message), headers);
}

/** A request/validation failure, thrown by the parsers and turned into a response by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: FaultStatus,
    message?: string,
  ) {
    super(message ?? ERRORS[status].message);
  }
}

const FAULT_STATUSES: ReadonlySet<number> = new Set([400, 401, 402, 422, 429, 500, 503]);

/** Queued faults, consumed in order by the requests they match. */
export class FaultQueue {
  private queued: QueuedFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): QueuedFault {
    if (!FAULT_STATUSES.has(spec.status)) throw new Error(`unsupported fault status: ${spec.status}`);
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    const fault: QueuedFault = { ...spec, times, id: this.nextId++, remaining: times };
    this.queued.push(fault);
    return fault;
  }

  /** The first fault for that key; `midStream` ones only for streaming requests. */
  take(key: string, streaming: boolean): QueuedFault | undefined {
    const index = this.queued.findIndex((f) => (f.key === undefined || f.key === key) && (!f.midStream || streaming));
    if (index < 0) return undefined;
    const fault = this.queued[index];
    if (--fault.remaining === 0) this.queued.splice(index, 1);
    return fault;
  }

  view(): QueuedFault[] {
    return this.queued.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queued = [];
  }
}
