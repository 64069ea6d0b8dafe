import type { ServerResponse } from 'node:http';
import type { Frames } from './formats/frames';

export interface Pacing {
  firstByteDelayMs: number;
  tokenDelayMs: number;
  heartbeatIntervalMs: number;
}

/** What happens once every frame is written: a normal end, a dropped socket, or silence. */
export type AfterFrames = { kind: 'end' } | { kind: 'destroy' } | { kind: 'stall'; ms: number | null };

export type RunOutcome = 'completed' | 'aborted' | 'stopped' | 'cancelled';

const HEARTBEAT = ': \n\n';

/**
 * Writes prepared frames to one response with pacing: `firstByteDelayMs` before the first batch,
 * `tokenDelayMs` before every later token frame (metadata frames ride with the next token), and
 * `: ` heartbeats during long waits. One timer per stream at a time; respects backpressure.
 */
export class StreamRun {
  tokensWritten = 0;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private done = false;
  /** When the next batch is due; advanced by the delay, so time spent writing does not add up. */
  private dueAt = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly frames: Frames,
    private readonly pacing: Pacing,
    private readonly after: AfterFrames,
    private readonly onEnd: (outcome: RunOutcome) => void,
  ) {}

  get framesWritten(): number {
    return this.next;
  }

  get finished(): boolean {
    return this.done;
  }

  start(): void {
    this.res.on('close', this.onClose);
    this.dueAt = Date.now();
    if (this.pacing.firstByteDelayMs > 0) {
      this.res.flushHeaders();
      this.wait(this.pacing.firstByteDelayMs);
    } else {
      this.writeBatch();
    }
  }

  /** Milliseconds the rest of the script would still take (for keepGeneratingAfterDisconnect). */
  remainingMs(): number {
    let tokens = 0;
    for (let i = this.next; i < this.frames.length; i++) if (this.frames.isToken[i]) tokens++;
    return (this.started ? 0 : this.pacing.firstByteDelayMs) + tokens * this.pacing.tokenDelayMs;
  }

  /** stop_stream: write `tail` (frames that replace the rest of the script) and end now. */
  stop(tail: readonly (string | Buffer)[]): void {
    if (this.done) return;
    this.clearTimer();
    this.res.cork();
    for (const data of tail) this.res.write(data);
    this.res.uncork();
    this.end('stopped', () => this.res.end());
  }

  /** Reset or shutdown: drop the connection without a word. */
  cancel(): void {
    if (this.done) return;
    this.clearTimer();
    this.end('cancelled', () => this.res.destroy());
  }

  private readonly writeBatch = (): void => {
    this.timer = undefined;
    this.started = true;
    const { data, isToken } = this.frames;
    const pace = this.pacing.tokenDelayMs > 0;
    let batch = '';
    const buffers: Buffer[] = [];
    while (this.next < data.length) {
      const frame = data[this.next];
      if (typeof frame === 'string') batch += frame;
      else buffers.push(frame);
      if (isToken[this.next++]) {
        this.tokensWritten++;
        if (pace) break;
      }
    }
    // Generated frames are strings (one write per batch); replayed ones are Buffers (kept byte-exact).
    const dropAfterWrite = this.next === data.length && this.after.kind === 'destroy';
    if (buffers.length === 0) this.res.write(batch, dropAfterWrite ? this.drop : undefined);
    else for (const buffer of buffers) this.res.write(buffer);
    if (dropAfterWrite) return;
    if (this.next < data.length && this.res.writableNeedDrain) this.res.once('drain', this.waitForNextToken);
    else if (this.next < data.length) this.waitForNextToken();
    else this.finishFrames();
  };

  private readonly waitForNextToken = (): void => {
    if (!this.done) this.wait(this.pacing.tokenDelayMs);
  };

  private wait(ms: number): void {
    this.dueAt = Math.max(this.dueAt + ms, Date.now());
    this.schedule();
  }

  private schedule(): void {
    const remaining = this.dueAt - Date.now();
    const interval = this.pacing.heartbeatIntervalMs;
    if (interval > 0 && remaining > interval) this.timer = setTimeout(this.heartbeat, interval);
    else this.timer = setTimeout(this.writeBatch, Math.max(0, remaining));
  }

  private readonly heartbeat = (): void => {
    this.res.write(HEARTBEAT);
    this.schedule();
  };

  private finishFrames(): void {
    const after = this.after;
    if (after.kind === 'end') this.end('completed', () => this.res.end());
    else if (after.kind === 'destroy') this.drop();
    else if (after.ms !== null) this.timer = setTimeout(() => this.end('completed', () => this.res.end()), after.ms);
  }

  /** Destroys the socket once the last frames are flushed (http writes are deferred to the next tick). */
  private readonly drop = (): void => {
    if (!this.done) this.end('completed', () => this.res.destroy());
  };

  private readonly onClose = (): void => {
    if (this.done) return;
    this.clearTimer();
    this.done = true;
    this.onEnd('aborted');
  };

  private end(outcome: RunOutcome, close: () => void): void {
    this.done = true;
    this.res.off('close', this.onClose);
    close();
    this.onEnd(outcome);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
