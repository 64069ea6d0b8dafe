import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Subject } from 'rxjs';
import {
  ClientWriteTimeout,
  SSE_KEEP_ALIVE_FRAME,
  type SseSource,
  type SseWriterOptions,
  writeSse,
} from './sse-writer';

/** A response whose client reads at will: writes beyond 64 bytes wait while it does not. */
class FakeResponse extends Writable {
  readonly pieces: string[] = [];
  private reading = true;
  private readonly waiting: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 64, decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    this.pieces.push(String(chunk));
    if (this.reading) callback();
    else this.waiting.push(callback);
  }

  stopReading(): void {
    this.reading = false;
  }

  readAgain(): void {
    this.reading = true;
    for (const callback of this.waiting.splice(0)) callback();
  }
}

/** The writer over a fake response, and Nest's part: piping the lifecycle into the response (now or later). */
function start(frames: Subject<string> | SseSource, options: SseWriterOptions, handOver = true) {
  const res = new FakeResponse();
  const lifecycle = writeSse(res as unknown as ServerResponse, frames, options);
  const pipe = (): void => void lifecycle.pipe(res);
  if (handOver) pipe();
  return { res, lifecycle, pipe };
}

/** Lets the stream machinery (next ticks, immediates) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('writeSse', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it.each([
    { coalesceMs: 0, beforeEnd: ['role', 'a', 'b', 'c'], atEnd: ['role', 'a', 'b', 'c'] },
    { coalesceMs: 40, beforeEnd: ['role', 'a'], atEnd: ['role', 'a', 'bc'] },
  ])(
    'should write frames as they come (coalesceMs $coalesceMs), flush what is gathered and end the response when they complete',
    async ({ coalesceMs, beforeEnd, atEnd }) => {
      const frames = new Subject<string>();
      const { res } = start(frames, { keepAliveMs: 15_000, coalesceMs });
      await settle();
      for (const frame of ['role', 'a', 'b', 'c']) frames.next(frame);
      expect(res.pieces).toEqual(beforeEnd);
      frames.complete();
      await settle();
      expect(res.pieces).toEqual(atEnd);
      expect(res.writableEnded).toBe(true);
    },
  );

  it('should write nothing before the hand-over, then what came in one write', async () => {
    const frames = new Subject<string>();
    const { res, pipe } = start(frames, { keepAliveMs: 15_000 }, false);
    frames.next('role');
    frames.next('a');
    await settle();
    expect(res.pieces).toEqual([]);
    pipe();
    await settle();
    expect(res.pieces).toEqual(['rolea']);
    frames.next('b');
    expect(res.pieces).toEqual(['rolea', 'b']);
  });

  it('should write and end at the hand-over when the frames completed before it', async () => {
    const frames = new Subject<string>();
    const { res, pipe } = start(frames, { keepAliveMs: 15_000 }, false);
    frames.next('a');
    frames.next('b');
    frames.complete();
    pipe();
    await settle();
    expect(res.pieces.join('')).toBe('ab');
    expect(res.writableEnded).toBe(true);
  });

  it('should cut the stream, not end the response, when the frames fail (the producer frames its own failures)', async () => {
    const frames = new Subject<string>();
    const { res, lifecycle } = start(frames, { keepAliveMs: 15_000 });
    const failed = new Promise<Error>((resolve) => lifecycle.once('error', resolve));
    await settle();
    frames.next('a');
    frames.error(new Error('boom'));
    expect((await failed).message).toBe('boom');
    expect(res.pieces).toEqual(['a']);
    expect(res.writableEnded).toBe(false);
  });

  it('should send keep-alive comments until the first frame', async () => {
    const frames = new Subject<string>();
    const { res } = start(frames, { keepAliveMs: 1000 });
    await settle();
    await jest.advanceTimersByTimeAsync(2500);
    expect(res.pieces).toEqual([SSE_KEEP_ALIVE_FRAME, SSE_KEEP_ALIVE_FRAME]);
    frames.next('a');
    expect(res.pieces.at(-1)).toBe('a');
  });

  it("should send the source's own keep-alive frame when it has one", async () => {
    const frames = new Subject<string>();
    const source = { frames, pause: () => undefined, resume: () => undefined, keepAliveFrame: () => 'event: ping\n\n' };
    const { res } = start(source, { keepAliveMs: 1000 });
    await settle();
    await jest.advanceTimersByTimeAsync(1000);
    expect(res.pieces).toEqual(['event: ping\n\n']);
  });

  it('should gather the frames of a coalescing window into one write, the first two at once', async () => {
    const frames = new Subject<string>();
    const { res } = start(frames, { keepAliveMs: 15_000, coalesceMs: 40 });
    await settle();
    frames.next('role');
    frames.next('a');
    frames.next('b');
    await jest.advanceTimersByTimeAsync(10);
    frames.next('c');
    expect(res.pieces).toEqual(['role', 'a']);
    await jest.advanceTimersByTimeAsync(30);
    expect(res.pieces).toEqual(['role', 'a', 'bc']);
    await jest.advanceTimersByTimeAsync(100);
    frames.next('d');
    expect(res.pieces).toEqual(['role', 'a', 'bc', 'd']);
  });

  it('should drop the subscription when the lifecycle is destroyed (client gone)', async () => {
    const frames = new Subject<string>();
    const { lifecycle } = start(frames, { keepAliveMs: 15_000 });
    await settle();
    expect(frames.observed).toBe(true);
    lifecycle.destroy();
    expect(frames.observed).toBe(false);
  });
});

describe('writeSse backpressure', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  /** A source whose brake calls are counted. */
  function brakedSource() {
    const frames = new Subject<string>();
    const calls: string[] = [];
    return { frames, calls, source: { frames, pause: () => calls.push('pause'), resume: () => calls.push('resume') } };
  }

  it('should pause the source when the client does not read, and resume it once it drained', async () => {
    const { frames, calls, source } = brakedSource();
    const { res, lifecycle } = start(source, { keepAliveMs: 15_000, writeTimeoutMs: 60_000 });
    await settle();
    res.stopReading();
    frames.next('x'.repeat(40));
    expect(calls).toEqual([]);
    frames.next('x'.repeat(40));
    expect(calls).toEqual(['pause']);

    res.readAgain();
    await settle();
    expect(calls).toEqual(['pause', 'resume']);
    lifecycle.destroy();
  });

  it('should cut a client that reads nothing for writeTimeoutMs, and say so first', async () => {
    const { frames, source } = brakedSource();
    const timeouts: ClientWriteTimeout[] = [];
    const { res, lifecycle } = start(source, {
      keepAliveMs: 15_000,
      writeTimeoutMs: 1_000,
      onWriteTimeout: (timeout) => timeouts.push(timeout),
    });
    lifecycle.on('error', () => undefined);
    await settle();
    res.stopReading();
    frames.next('x'.repeat(65));

    await jest.advanceTimersByTimeAsync(999);
    expect(lifecycle.destroyed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0].ms).toBe(1_000);
    expect(lifecycle.destroyed).toBe(true);
    expect(frames.observed).toBe(false);
  });
});
