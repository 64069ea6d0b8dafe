import { EventEmitter } from 'node:events';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, Subject, throwError } from 'rxjs';
import { InflightInterceptor, requestSignalOf } from './inflight.interceptor';
import { InflightRegistry } from './inflight-registry';

/** A request with a parsed body and its response, as far as the interceptor reads them. */
function exchange(body: unknown) {
  const req = Object.assign(new EventEmitter(), { body });
  const res = Object.assign(new EventEmitter(), { writableFinished: false });
  const context = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { req, res, context };
}

describe('InflightInterceptor', () => {
  let registry: InflightRegistry;
  let interceptor: InflightInterceptor;

  beforeEach(() => {
    registry = new InflightRegistry();
    interceptor = new InflightInterceptor(registry);
  });

  it('should count the request in flight until its response closes, and abort its signal if the client left', () => {
    const { req, res, context } = exchange({ model: 'deepseek-chat' });

    interceptor.intercept(context, { handle: () => new Subject() }).subscribe();
    expect(registry.size).toBe(1);
    const signal = requestSignalOf(req);
    res.emit('close');

    expect(registry.size).toBe(0);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('the client closed the connection');
  });

  it('should keep the body until the handler answers, then let go of it', () => {
    const { req, context } = exchange({ messages: [{ role: 'user', content: 'hello' }] });
    const answer = new Subject<string>();
    const handler: CallHandler = { handle: () => answer };
    const seen: unknown[] = [];

    interceptor.intercept(context, handler).subscribe((value) => seen.push(value));
    expect(req.body).toBeDefined();
    answer.next('stream');

    expect(seen).toEqual(['stream']);
    expect(req.body).toBeUndefined();
  });

  it('should let go of it when the handler fails too, and pass the error on', async () => {
    const { req, context } = exchange({ model: 'deepseek-chat' });
    const handler: CallHandler = { handle: () => throwError(() => new Error('no account')) };

    await expect(lastValueFrom(interceptor.intercept(context, handler))).rejects.toThrow('no account');
    expect(req.body).toBeUndefined();
  });
});
