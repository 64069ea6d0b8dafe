import type { Request, Response } from 'express';

/** The client went away before its answer ended. Named AbortError, so whatever waits on it sees an abort. */
export class ClientGoneError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('the client closed the connection');
  }
}

export function abortError(message = 'The operation was aborted.'): DOMException {
  return new DOMException(message, 'AbortError');
}

/** By name: a DOMException is not `instanceof Error` in every realm (Jest's sandbox, for one). */
export const isAbortError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';

/** Why `signal` aborted: its own reason (client gone, shutdown…) when that is an Error, so whoever aborted recognises it. */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : abortError();
}

/** Settles like `promise`, or rejects with an AbortError as soon as `signal` aborts (the promise runs on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Resolves after `ms`, or rejects with `abortReason(signal)` as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(abortReason(signal));
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * A controller that aborts, with the parent's reason, when `parent` does, and can also be aborted on its own.
 * Aborting it unhooks it from `parent`: one listener on the parent while the child lives, none after (cheaper
 * per call than AbortSignal.any, whose bookkeeping stays until both are collected).
 */
export function childAbortController(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) {
    child.abort(parent.reason);
    return child;
  }
  const forward = (): void => child.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  child.signal.addEventListener('abort', () => parent.removeEventListener('abort', forward), { once: true });
  return child;
}

/**
 * A controller that aborts with a ClientGoneError when the client goes away before we finished answering,
 * so upstream work (queue wait, PoW, generation) stops and the account is released. Others (shutdown) may
 * abort it too, with their own reason.
 */
export function requestAbortController(req: Request, res: Response): AbortController {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished && !controller.signal.aborted) controller.abort(new ClientGoneError());
  };
  res.once('close', onClose);
  req.once('aborted', onClose);
  return controller;
}
