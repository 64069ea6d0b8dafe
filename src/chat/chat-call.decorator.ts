import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type RequestOrigin, requestOrigin } from '../common/errors/request-origin';
import { requestSignalOf } from '../common/lifecycle/inflight.interceptor';
import { type RequestTrace, traceOn } from './chat-trace';

/** What a chat request brings besides its body and credentials. */
export interface ChatCall {
  /** Aborts when the client leaves or a drain runs out of time: the upstream stops, the account is freed. */
  signal: AbortSignal;
  trace: RequestTrace;
  /** For the request id of an unexpected error's frame and log line. */
  origin: RequestOrigin;
}

/** The request's ChatCall; the route needs `InflightInterceptor`, which gives it its signal. */
export const ChatCallOf = createParamDecorator((_data: unknown, context: ExecutionContext): ChatCall => {
  const http = context.switchToHttp();
  const req = http.getRequest<Request>();
  return { signal: requestSignalOf(req), trace: traceOn(http.getResponse<Response>()), origin: requestOrigin(req) };
});
