import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { type Observable, tap } from 'rxjs';

/**
 * Lets go of the request's parsed JSON body once the handler has answered (a stream: once it is committed).
 * The handler works from its pipe's own reading of the body; the raw one would otherwise stay on the request
 * for as long as its stream runs, and an agent's body is a whole conversation.
 */
@Injectable()
export class ReleaseBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const release = (): void => void (req.body = undefined);
    return next.handle().pipe(tap({ next: release, error: release }));
  }
}
