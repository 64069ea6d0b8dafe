import { EventEmitter, getEventListeners } from 'node:events';
import type { Request, Response } from 'express';
import { ShutdownError } from './inflight-registry';
import {
  abortableDelay,
  abortReason,
  childAbortController,
  ClientGoneError,
  isAbortError,
  requestAbortController,
} from './abort';

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

  it("should abort a child with its parent's reason, and not the parent with its child's", () => {
    const parent = new AbortController();
    const reason = new Error('client gone');
    const [first, second] = [childAbortController(parent.signal), childAbortController(parent.signal)];

    first.abort(new Error('done with it'));
    expect(parent.signal.aborted).toBe(false);
    parent.abort(reason);

    expect(second.signal.reason).toBe(reason);
    expect((first.signal.reason as Error).message).toBe('done with it');
  });

  it('should leave no listener on the parent once the child has aborted', () => {
    const parent = new AbortController();
    const children = Array.from({ length: 3 }, () => childAbortController(parent.signal));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(3);

    for (const child of children) child.abort();

    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('should give a child of an aborted parent that abort at once', () => {
    const parent = new AbortController();
    parent.abort(new Error('already gone'));

    expect((childAbortController(parent.signal).signal.reason as Error).message).toBe('already gone');
  });
});
