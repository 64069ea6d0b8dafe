import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, tap } from 'rxjs';
import { requestAbortController } from './abort';
import { InflightRegistry } from './inflight-registry';

// Beside the request rather than on it, like the request's credentials.
const signals = new WeakMap<object, AbortSignal>();

/**
 * Gives the request an abort signal (ClientGoneError when the client leaves, ShutdownError when a drain runs
 * out of time) and counts it in flight until its response closes, so a shutdown waits for it. Once the handler
 * has answered (a stream: once it is committed), the request lets go of its parsed JSON body: the handler
 * works from its pipe's own reading, and an agent's body, a whole conversation, would otherwise stay for as
 * long as the stream runs. (One interceptor for both: Nest binds an async context for each one per request.)
 */
@Injectable()
export class InflightInterceptor implements NestInterceptor {
  constructor(private readonly inflight: InflightRegistry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const controller = requestAbortController(req, res);
    res.once('close', this.inflight.track(controller));
    signals.set(req, controller.signal);
    const releaseBody = (): void => void (req.body = undefined);
    return next.handle().pipe(tap({ next: releaseBody, error: releaseBody }));
  }
}

/** The request's abort signal, from `InflightInterceptor`. */
export function requestSignalOf(req: object): AbortSignal {
  const signal = signals.get(req);
  if (!signal) throw new Error('requestSignalOf() on a route without InflightInterceptor');
  return signal;
}
