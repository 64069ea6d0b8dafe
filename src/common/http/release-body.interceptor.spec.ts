import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, Subject, throwError } from 'rxjs';
import { ReleaseBodyInterceptor } from './release-body.interceptor';

function contextFor(req: { body?: unknown }): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

describe('ReleaseBodyInterceptor', () => {
  const interceptor = new ReleaseBodyInterceptor();

  it('should keep the body until the handler answers, then let go of it', () => {
    const req = { body: { messages: [{ role: 'user', content: 'hello' }] } };
    const answer = new Subject<string>();
    const handler: CallHandler = { handle: () => answer };
    const seen: unknown[] = [];

    interceptor.intercept(contextFor(req), handler).subscribe((value) => seen.push(value));
    expect(req.body).toBeDefined();
    answer.next('stream');

    expect(seen).toEqual(['stream']);
    expect(req.body).toBeUndefined();
  });

  it('should let go of it when the handler fails too, and pass the error on', async () => {
    const req = { body: { model: 'deepseek-chat' } };
    const handler: CallHandler = { handle: () => throwError(() => new Error('no account')) };

    await expect(lastValueFrom(interceptor.intercept(contextFor(req), handler))).rejects.toThrow('no account');
    expect(req.body).toBeUndefined();
  });
});
