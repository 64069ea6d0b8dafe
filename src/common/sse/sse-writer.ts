import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import { ResponseSink } from './response-sink';

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

export interface SseWriterOptions {
  /** Frames to send while nothing else was written for this long (proxies drop silent connections). */
  keepAliveMs: number;
  /**
   * 0: every frame is written at once. N: after a write, frames of the next N ms are gathered into one
   * write (one system call instead of several), trading up to N ms of smoothness for CPU. The first two
   * frames (the role chunk and the first token) always go out at once, so time to first token is kept.
   */
  coalesceMs?: number;
  /**
   * When the client stops reading, the source is paused (memory per stream stays within the socket's
   * buffers); when it has read nothing for this long, the stream is destroyed with a ClientWriteTimeout
   * (0: never). `onWriteTimeout` is told first.
   */
  writeTimeoutMs?: number;
  onWriteTimeout?: (error: ClientWriteTimeout) => void;
}

/**
 * Writes SSE frames straight to the response (one write per frame through a ResponseSink, which corks the
 * socket until the end of the tick, so the frames of one event-loop turn leave in one system call) and returns the stream's
 * lifecycle as a Readable that carries no data, for Nest's StreamableFile (docs/decisions/0010):
 * - nothing is written before Nest pipes the Readable into `res`, after the interceptors have set their
 *   headers: frames that come earlier wait in one string;
 * - the end of the frames ends the Readable, and the pipe ends the response;
 * - a client gone makes Nest destroy the Readable, which drops the subscription and so stops the upstream.
 * The first frame may be long in coming (the upstream handshake is slow): keep-alives flow meanwhile.
 */
export function writeSse(
  res: ServerResponse,
  frames: Observable<string> | SseSource,
  options: SseWriterOptions,
): Readable {
  const source: SseSource = isObservable(frames) ? { frames, pause: () => undefined, resume: () => undefined } : frames;
  const coalesceMs = options.coalesceMs ?? 0;
  const writeTimeoutMs = options.writeTimeoutMs ?? 0;
  const sink = new ResponseSink(res);
  let subscription: Subscription | null = null;
  /** Nest has piped the lifecycle into `res`: frames may be written. */
  let handedOver = false;
  let wrote = false;
  let finished = false;
  /** Frames held back: before the hand-over, or gathered by coalescing. */
  let held = '';
  let flushTimer: NodeJS.Timeout | null = null;
  let stalledTimer: NodeJS.Timeout | null = null;
  let lastWriteAt = 0;
  let writes = 0;

  const onDrain = (): void => {
    if (!stalledTimer) return;
    clearTimeout(stalledTimer);
    stalledTimer = null;
    source.resume();
  };
  const lifecycle = new Readable({
    read() {
      if (handedOver) return;
      handedOver = true;
      sink.onDrain(onDrain);
      flush();
      if (finished) lifecycle.push(null);
    },
    destroy(error, callback) {
      finished = true;
      clearInterval(keepAlive);
      if (flushTimer) clearTimeout(flushTimer);
      if (stalledTimer) clearTimeout(stalledTimer);
      sink.offDrain();
      subscription?.unsubscribe();
      subscription = null;
      callback(error);
    },
  });
  /** The socket's buffers are full: stop the source until they drain, and cut a client that never reads. */
  const stall = (): void => {
    if (stalledTimer || finished) return;
    source.pause();
    stalledTimer = setTimeout(
      () => {
        const error = new ClientWriteTimeout(writeTimeoutMs);
        options.onWriteTimeout?.(error);
        lifecycle.destroy(error);
      },
      writeTimeoutMs || 2 ** 31 - 1,
    ).unref();
  };
  const send = (text: string): void => {
    wrote = true;
    if (!handedOver) {
      held += text;
      return;
    }
    if (!sink.write(text)) stall();
    if (coalesceMs > 0 && ++writes >= 2) lastWriteAt = Date.now();
  };
  function flush(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (held === '' || !handedOver) return;
    const text = held;
    held = '';
    send(text);
  }
  const write = (frame: string): void => {
    if (coalesceMs <= 0 || !handedOver) return send(frame);
    if (flushTimer) {
      held += frame;
      return;
    }
    const wait = lastWriteAt + coalesceMs - Date.now();
    if (wait <= 0) return send(frame);
    held = frame;
    flushTimer = setTimeout(flush, wait);
  };
  const end = (): void => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    if (!handedOver) return; // the hand-over writes what is held and ends
    flush();
    lifecycle.push(null);
  };
  const fail = (error: unknown): void => {
    if (!lifecycle.destroyed) lifecycle.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const keepAlive = setInterval(() => {
    if (!wrote && !finished) send(source.keepAliveFrame?.() ?? SSE_KEEP_ALIVE_FRAME);
    wrote = false;
  }, options.keepAliveMs).unref();

  subscription = source.frames.subscribe({ next: write, error: fail, complete: end });
  return lifecycle;
}
