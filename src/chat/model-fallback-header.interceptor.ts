import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { type Observable, tap } from 'rxjs';
import { traceOf } from './chat-trace';

export const MODEL_FALLBACK_HEADER = 'x-deepseek-model-fallback';

/**
 * Tells the client that another DeepSeek mode answered than its model name asked for (`expert->default`),
 * when that is known as the answer goes out: always for JSON, for a stream when its pre-flight was quick.
 */
@Injectable()
export class ModelFallbackHeaderInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap(() => {
        const fallback = traceOf(res)?.modelFallback;
        if (fallback !== undefined && !res.headersSent) res.setHeader(MODEL_FALLBACK_HEADER, fallback);
      }),
    );
  }
}
