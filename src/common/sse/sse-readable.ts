import { Readable } from 'node:stream';
import type { Observable, Subscription } from 'rxjs';

export const SSE_KEEP_ALIVE_FRAME = ': keep-alive\n\n';

export interface SseReadableOptions {
  /** Frames to send while nothing else was written for this long (proxies drop silent connections). */
  keepAliveMs: number;
  /** The frame that reports a failure after the first byte; the stream ends after it. */
  errorFrame: (error: unknown) => string;
}

/**
 * A byte stream of SSE frames for Nest's StreamableFile. `frames` may still be pending (the upstream
 * handshake is slow): keep-alive comments flow meanwhile. When Express' pipeline destroys the
 * stream (client gone), the subscription is dropped, which tears down the upstream.
 */
export function toSseReadable(
  frames: Observable<string> | Promise<Observable<string>>,
  options: SseReadableOptions,
): Readable {
  let subscription: Subscription | null = null;
  let wrote = false;
  let finished = false;
  const readable = new Readable({
    read() {},
    destroy(error, callback) {
      finished = true;
      clearInterval(keepAlive);
      subscription?.unsubscribe();
      subscription = null;
      callback(error);
    },
  });
  const write = (frame: string): void => {
    wrote = true;
    readable.push(frame);
  };
  const end = (): void => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    readable.push(null);
  };
  const fail = (error: unknown): void => {
    if (finished) return;
    write(options.errorFrame(error));
    end();
  };
  const keepAlive = setInterval(() => {
    if (!wrote && !finished) readable.push(SSE_KEEP_ALIVE_FRAME);
    wrote = false;
  }, options.keepAliveMs).unref();

  Promise.resolve(frames).then((observable) => {
    if (finished) return;
    subscription = observable.subscribe({ next: write, error: fail, complete: end });
  }, fail);
  return readable;
}
