/** What one streaming request (through the gateway or direct) did, with its timings. */
export interface StreamOutcome {
  marker: string;
  ok: boolean;
  /** HTTP status of the final answer (the gateway's, or the upstream completion's); 0 without one. */
  status: number;
  /** Why it failed: `http_429`, `network:ECONNRESET`, `sse_error`, `truncated`, … */
  error?: string;
  /** Wall clock (common/clock.ts) when the request was sent: comparable with the fake's and the proxy's clocks. */
  sentAtWall: number;
  /** performance.now() marks. */
  startedAt: number;
  headersAt: number | null;
  firstTokenAt: number | null;
  endedAt: number;
  /** Text frames received (content or reasoning). */
  frames: number;
  /** Bytes of the response body received (gateway streams). */
  bytes?: number;
  /** Direct client only: the PoW answer and the time spent solving it. */
  answer?: number;
  powMs?: number;
}

/** Observers of one stream, for scenario-wide figures (gaps, open streams). */
export interface StreamHooks {
  /** The response head arrived (the stream is open). */
  onOpen?(): void;
  /** `count` text frames arrived together at `now` (performance.now()). */
  onFrames?(count: number, now: number): void;
  /** An opened stream ended, successfully or not (called once, only after onOpen). */
  onClose?(): void;
}

/** Records the gaps between consecutive text frames of one stream into a shared buffer. */
export class GapRecorder implements StreamHooks {
  private last: number | null = null;

  constructor(private readonly sink: { push(value: number): void }) {}

  onFrames(count: number, now: number): void {
    if (this.last !== null) this.sink.push(now - this.last);
    for (let i = 1; i < count; i++) this.sink.push(0);
    this.last = now;
  }
}

export function combineHooks(...hooks: StreamHooks[]): StreamHooks {
  return {
    onOpen: () => hooks.forEach((h) => h.onOpen?.()),
    onFrames: (count, now) => hooks.forEach((h) => h.onFrames?.(count, now)),
    onClose: () => hooks.forEach((h) => h.onClose?.()),
  };
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return `network:${code}`;
  return `error:${error instanceof Error ? error.message.slice(0, 80) : String(error).slice(0, 80)}`;
}
