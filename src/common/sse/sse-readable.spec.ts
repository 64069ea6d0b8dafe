import type { Readable } from 'node:stream';
import { Subject } from 'rxjs';
import { ClientWriteTimeout, SSE_KEEP_ALIVE_FRAME, toSseReadable } from './sse-readable';

/** Everything the readable pushed, as the pieces it pushed them in. */
function collect(readable: Readable): string[] {
  const pieces: string[] = [];
  readable.on('data', (chunk: Buffer) => pieces.push(chunk.toString()));
  return pieces;
}

describe('toSseReadable', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should write every frame at once and end when the frames complete', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 15_000 });
    const pieces = collect(readable);
    await Promise.resolve();
    frames.next('role');
    frames.next('a');
    frames.next('b');
    frames.next('c');
    frames.complete();
    await jest.runOnlyPendingTimersAsync();
    expect(pieces.join('')).toBe('roleabc');
    expect(readable.readableEnded).toBe(true);
  });

  it('should cut the stream, not end it as complete, when the frames fail (the producer frames its own failures)', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 15_000 });
    const failed = new Promise<Error>((resolve) => readable.once('error', resolve));
    const pieces = collect(readable);
    frames.next('a');
    frames.error(new Error('boom'));
    expect((await failed).message).toBe('boom');
    expect(pieces.join('')).toBe('a');
    expect(readable.readableEnded).toBe(false);
  });

  it('should send keep-alive comments until the first frame', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 1000 });
    const pieces = collect(readable);
    await jest.advanceTimersByTimeAsync(2500);
    expect(pieces).toEqual([SSE_KEEP_ALIVE_FRAME, SSE_KEEP_ALIVE_FRAME]);
    frames.next('a');
    expect(pieces.at(-1)).toBe('a');
  });

  it('should gather the frames of a coalescing window into one write, the first two at once', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 15_000, coalesceMs: 40 });
    const pieces = collect(readable);
    await jest.advanceTimersByTimeAsync(0);
    frames.next('role');
    frames.next('a');
    frames.next('b');
    await jest.advanceTimersByTimeAsync(10);
    frames.next('c');
    expect(pieces).toEqual(['role', 'a']);
    await jest.advanceTimersByTimeAsync(30);
    expect(pieces).toEqual(['role', 'a', 'bc']);
    await jest.advanceTimersByTimeAsync(100);
    frames.next('d');
    expect(pieces).toEqual(['role', 'a', 'bc', 'd']);
  });

  it('should flush gathered frames before the end', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 15_000, coalesceMs: 40 });
    const pieces = collect(readable);
    await Promise.resolve();
    frames.next('role');
    frames.next('a');
    frames.next('b');
    frames.next('c');
    frames.complete();
    await jest.runOnlyPendingTimersAsync();
    expect(pieces.join('')).toBe('roleabc');
    expect(readable.readableEnded).toBe(true);
  });

  it('should drop the subscription when the readable is destroyed (client gone)', async () => {
    const frames = new Subject<string>();
    const readable = toSseReadable(frames, { keepAliveMs: 15_000 });
    collect(readable);
    await Promise.resolve();
    expect(frames.observed).toBe(true);
    readable.destroy();
    expect(frames.observed).toBe(false);
  });
});

describe('toSseReadable backpressure', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A source whose brake calls are counted. */
  function brakedSource() {
    const frames = new Subject<string>();
    const calls: string[] = [];
    return { frames, calls, source: { frames, pause: () => calls.push('pause'), resume: () => calls.push('resume') } };
  }

  it('should pause the source when nobody reads, and resume it when the reader asks again', async () => {
    const { frames, calls, source } = brakedSource();
    const readable = toSseReadable(source, { keepAliveMs: 15_000, writeTimeoutMs: 60_000 });
    await Promise.resolve();
    const big = 'x'.repeat(readable.readableHighWaterMark);
    frames.next(big);
    frames.next(big);
    expect(calls).toEqual(['pause']);

    readable.read();
    expect(calls).toEqual(['pause', 'resume']);
    readable.destroy();
  });

  it('should cut a reader that reads nothing for writeTimeoutMs, and say so first', async () => {
    const { frames, source } = brakedSource();
    const timeouts: ClientWriteTimeout[] = [];
    const readable = toSseReadable(source, {
      keepAliveMs: 15_000,
      writeTimeoutMs: 1_000,
      onWriteTimeout: (timeout) => timeouts.push(timeout),
    });
    readable.on('error', () => undefined);
    await Promise.resolve();
    frames.next('x'.repeat(readable.readableHighWaterMark + 1));

    await jest.advanceTimersByTimeAsync(999);
    expect(readable.destroyed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(timeouts).toHaveLength(1);
    expect(readable.destroyed).toBe(true);
    expect(frames.observed).toBe(false);
  });
});
