import type { ServerResponse } from 'node:http';
import type { Frames } from './formats/frames';

export interface Pacing {
  firstByteDelayMs: number;
  tokenDelayMs: number;
  heartbeatIntervalMs: number;
  /** Pause at the frames' `titleWaitAt`, after the terminal status, before the closing events. */
  titleDelayMs: number;
}

/** What happens once every frame is written: a normal end, a dropped socket, or silence. */
export type AfterFrames = { kind: 'end' } | { kind: 'destroy' } | { kind: 'stall'; ms: number | null };

export type RunOutcome = 'completed' | 'aborted' | 'stopped' | 'cancelled';

const HEARTBEAT = ': \n\n';

/**
 * Writes prepared frames to one response with pacing: `firstByteDelayMs` before the first batch,
 * `tokenDelayMs` before every later token frame (metadata frames ride with the next token),
 * `titleDelayMs` after the terminal status, and `: ` heartbeats during long waits. One timer per
 * stream at a time; respects backpressure.
 */
export class StreamRun {
  tokensWritten = 0;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private done = false;
  private titleWait: 'ahead' | 'waiting' | 'over';
  /** When the next batch is due; advanced by the delay, so time spent writing does not add up. */
  private dueAt = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly frames: Frames,
    private readonly pacing: Pacing,
    private readonly after: AfterFrames,
    private readonly onEnd: (outcome: RunOutcome) => void,
    /** Called once the frames before the title wait (the terminal status) are written. */
    private readonly onTitleWait: () => void = () => {},
  ) {
    this.titleWait = frames.titleWaitAt !== null && pacing.titleDelayMs > 0 ? 'ahead' : 'over';
  }

  get framesWritten(): number {
    return this.next;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The terminal status is out and the run waits for the title (or, after a disconnect, was waiting). */
  get waitingForTitle(): boolean {
    return this.titleWait === 'waiting';
  }

  /** Frames not written yet (what stop_stream flushes during the title wait). */
  unwrittenFrames(): (string | Buffer)[] {
    return this.frames.data.slice(this.next);
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
    if (this.titleWait === 'waiting') return Math.max(0, this.dueAt - Date.now());
    let tokens = 0;
    for (let i = this.next; i < this.frames.length; i++) if (this.frames.isToken[i]) tokens++;
    const titleMs = this.titleWait === 'ahead' ? this.pacing.titleDelayMs : 0;
    return (this.started ? 0 : this.pacing.firstByteDelayMs) + tokens * this.pacing.tokenDelayMs + titleMs;
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
    if (this.titleWait === 'waiting') this.titleWait = 'over';
    const { data, isToken } = this.frames;
    const pace = this.pacing.tokenDelayMs > 0;
    const holdAt = this.titleWait === 'ahead' ? this.frames.titleWaitAt : null;
    let batch = '';
    const buffers: Buffer[] = [];
    while (this.next < data.length && this.next !== holdAt) {
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
    if (buffers.length > 0) {
      for (const buffer of buffers) this.res.write(buffer);
    } else if (batch !== '' || dropAfterWrite) {
      // The batch is empty only after a title wait at the very end (Format A).
      this.res.write(batch, dropAfterWrite ? this.drop : undefined);
    }
    if (dropAfterWrite) return;
    if (this.next === holdAt) this.waitForTitle();
    else if (this.next < data.length && this.res.writableNeedDrain) this.res.once('drain', this.waitForNextToken);
    else if (this.next < data.length) this.waitForNextToken();
    else this.finishFrames();
  };

  private readonly waitForNextToken = (): void => {
    if (!this.done) this.wait(this.pacing.tokenDelayMs);
  };

  private waitForTitle(): void {
    this.titleWait = 'waiting';
    this.dueAt = Date.now() + this.pacing.titleDelayMs;
    this.schedule();
    this.onTitleWait();
  }

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
