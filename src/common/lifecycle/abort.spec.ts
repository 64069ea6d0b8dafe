import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { ShutdownError } from './inflight-registry';
import { abortableDelay, abortReason, ClientGoneError, isAbortError, requestAbortController } from './abort';

/** Just what requestAbortController listens to. */
function fakeExchange(): { req: Request; res: Response & { writableFinished: boolean } } {
  const res = Object.assign(new EventEmitter(), { writableFinished: false });
  return {
    req: new EventEmitter() as unknown as Request,
    res: res as unknown as Response & { writableFinished: boolean },
  };
}

describe('abort helpers', () => {
  it('should give the abort reason the aborter chose, and an AbortError when it chose none', () => {
    const shutdown = new AbortController();
    shutdown.abort(new ShutdownError());
    expect(abortReason(shutdown.signal)).toBeInstanceOf(ShutdownError);
    const plain = new AbortController();
    plain.abort('no error');
    expect(isAbortError(abortReason(plain.signal))).toBe(true);
  });

  it('should reject a delay with the reason as soon as its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = abortableDelay(60_000, controller.signal);
    controller.abort(new ClientGoneError());
    await expect(waiting).rejects.toBeInstanceOf(ClientGoneError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should reject a delay at once when the signal has already aborted', async () => {
    await expect(abortableDelay(60_000, AbortSignal.abort(new ShutdownError()))).rejects.toBeInstanceOf(ShutdownError);
  });

  it('should abort with a ClientGoneError when the response closes before it finished', () => {
    const { req, res } = fakeExchange();
    const { signal } = requestAbortController(req, res);
    res.emit('close');
    expect(signal.reason).toBeInstanceOf(ClientGoneError);
    expect(isAbortError(signal.reason)).toBe(true);
  });

  it('should not abort when the response closes after it finished', () => {
    const { req, res } = fakeExchange();
    const { signal } = requestAbortController(req, res);
    res.writableFinished = true;
    res.emit('close');
    expect(signal.aborted).toBe(false);
  });
});
