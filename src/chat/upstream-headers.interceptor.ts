import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { type Observable, tap } from 'rxjs';
import { traceOf } from './chat-trace';

export const MODEL_FALLBACK_HEADER = 'x-deepseek-model-fallback';
/** `web` or `api`: which upstream answered. */
export const UPSTREAM_HEADER = 'x-upstream';

/**
 * Tells the client which upstream answered (`x-upstream: web|api`) and when another DeepSeek mode answered
 * than its model name asked for (`x-deepseek-model-fallback: expert->default`), when that is known as the
 * answer goes out: always for JSON, for a stream when its pre-flight was quick (within one keep-alive interval).
 */
@Injectable()
export class UpstreamHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap(() => {
        const trace = traceOf(res);
        if (!trace || res.headersSent) return;
        if (trace.upstream !== undefined) res.setHeader(UPSTREAM_HEADER, trace.upstream);
        if (trace.modelFallback !== undefined) res.setHeader(MODEL_FALLBACK_HEADER, trace.modelFallback);
      }),
    );
  }
}
