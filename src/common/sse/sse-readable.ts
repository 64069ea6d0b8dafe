import { Readable } from 'node:stream';
import type { Observable, Subscription } from 'rxjs';

export const SSE_KEEP_ALIVE_FRAME = ': keep-alive\n\n';

export interface SseReadableOptions {
  /** Frames to send while nothing else was written for this long (proxies drop silent connections). */
  keepAliveMs: number;
  /** The frame that reports a failure after the first byte; the stream ends after it. */
  errorFrame: (error: unknown) => string;
  /**
   * 0: every frame is written at once. N: after a write, frames of the next N ms are gathered into one
   * write (one system call instead of several), trading up to N ms of smoothness for CPU. The first two
   * frames (the role chunk and the first token) always go out at once, so time to first token is kept.
   */
  coalesceMs?: number;
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
  const coalesceMs = options.coalesceMs ?? 0;
  let subscription: Subscription | null = null;
  let wrote = false;
  let finished = false;
  let gathered = '';
  let flushTimer: NodeJS.Timeout | null = null;
  let lastPushAt = 0;
  let pushes = 0;
  const readable = new Readable({
    read() {},
    destroy(error, callback) {
      finished = true;
      clearInterval(keepAlive);
      if (flushTimer) clearTimeout(flushTimer);
      subscription?.unsubscribe();
      subscription = null;
      callback(error);
    },
  });
  const push = (text: string): void => {
    wrote = true;
    readable.push(text);
    if (coalesceMs > 0 && ++pushes >= 2) lastPushAt = Date.now();
  };
  const flush = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (gathered === '') return;
    const text = gathered;
    gathered = '';
    push(text);
  };
  const write = (frame: string): void => {
    if (coalesceMs <= 0) return push(frame);
    if (flushTimer) {
      gathered += frame;
      return;
    }
    const wait = lastPushAt + coalesceMs - Date.now();
    if (wait <= 0) return push(frame);
    gathered = frame;
    flushTimer = setTimeout(flush, wait);
  };
  const end = (): void => {
    if (finished) return;
    flush();
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
