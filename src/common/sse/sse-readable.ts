import { Readable } from 'node:stream';
import { isObservable, type Observable, type Subscription } from 'rxjs';

export const SSE_KEEP_ALIVE_FRAME = ': keep-alive\n\n';

/** Frames and the brake of whatever produces them: paused while the client does not read. */
export interface SseSource {
  /** The producer reports its own failures as frames; an error here is a bug, and cuts the stream. */
  frames: Observable<string>;
  pause: () => void;
  resume: () => void;
  /** What fills quiet spells (an API's own ping event); an SSE comment when absent. */
  keepAliveFrame?: () => string;
}

/** The client read nothing for `writeTimeoutMs`: the stream is cut. */
export class ClientWriteTimeout extends Error {
  override readonly name = 'ClientWriteTimeout';
  constructor(readonly ms: number) {
    super(`the client read nothing for ${ms} ms`);
  }
}

export interface SseReadableOptions {
  /** Frames to send while nothing else was written for this long (proxies drop silent connections). */
  keepAliveMs: number;
  /**
   * 0: every frame is written at once. N: after a write, frames of the next N ms are gathered into one
   * write (one system call instead of several), trading up to N ms of smoothness for CPU. The first two
   * frames (the role chunk and the first token) always go out at once, so time to first token is kept.
   */
  coalesceMs?: number;
  /**
   * When the client stops reading, the source is paused (memory per stream stays within the stream
   * buffers); when it has read nothing for this long, the stream is destroyed with a ClientWriteTimeout
   * (0: never). `onWriteTimeout` is told first.
   */
  writeTimeoutMs?: number;
  onWriteTimeout?: (error: ClientWriteTimeout) => void;
}

/**
 * A byte stream of SSE frames for Nest's StreamableFile. The first frame may be long in coming (the
 * upstream handshake is slow): keep-alive comments flow meanwhile. When Express' pipeline destroys the
 * stream (client gone), the subscription is dropped, which tears down the upstream.
 */
export function toSseReadable(frames: Observable<string> | SseSource, options: SseReadableOptions): Readable {
  const source: SseSource = isObservable(frames) ? { frames, pause: () => undefined, resume: () => undefined } : frames;
  const coalesceMs = options.coalesceMs ?? 0;
  const writeTimeoutMs = options.writeTimeoutMs ?? 0;
  let subscription: Subscription | null = null;
  let wrote = false;
  let finished = false;
  let gathered = '';
  let flushTimer: NodeJS.Timeout | null = null;
  let stalledTimer: NodeJS.Timeout | null = null;
  let lastPushAt = 0;
  let pushes = 0;
  const readable = new Readable({
    // The consumer wants more: the client's socket drained.
    read() {
      if (!stalledTimer) return;
      clearTimeout(stalledTimer);
      stalledTimer = null;
      source.resume();
    },
    destroy(error, callback) {
      finished = true;
      clearInterval(keepAlive);
      if (flushTimer) clearTimeout(flushTimer);
      if (stalledTimer) clearTimeout(stalledTimer);
      subscription?.unsubscribe();
      subscription = null;
      callback(error);
    },
  });
  /** The buffers are full: stop the source until `read()` asks again, and cut a client that never does. */
  const stall = (): void => {
    if (stalledTimer || finished) return;
    source.pause();
    stalledTimer = setTimeout(
      () => {
        const error = new ClientWriteTimeout(writeTimeoutMs);
        options.onWriteTimeout?.(error);
        readable.destroy(error);
      },
      writeTimeoutMs || 2 ** 31 - 1,
    ).unref();
  };
  const push = (text: string): void => {
    wrote = true;
    if (!readable.push(text)) stall();
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
    if (!finished) readable.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const keepAlive = setInterval(() => {
    if (!wrote && !finished) readable.push(source.keepAliveFrame?.() ?? SSE_KEEP_ALIVE_FRAME);
    wrote = false;
  }, options.keepAliveMs).unref();

  subscription = source.frames.subscribe({ next: write, error: fail, complete: end });
  return readable;
}
