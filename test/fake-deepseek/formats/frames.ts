import { CLOSE_DATA, CLOSE_RETRY_DATA } from '../http-responses';
import type { StreamScript, TokenItem } from '../script';

/** SSE frames of one body; a token frame carries exactly one script token and is paced. */
export class Frames {
  readonly data: (string | Buffer)[] = [];
  readonly isToken: boolean[] = [];
  /** Index of the first frame written after the title delay (after the terminal status); null = no wait. */
  titleWaitAt: number | null = null;

  add(data: string | Buffer, isToken = false): void {
    this.data.push(data);
    this.isToken.push(isToken);
  }

  get length(): number {
    return this.data.length;
  }

  /** The frames added from here on wait for the title (`titleDelayMs`). */
  markTitleWait(): void {
    this.titleWaitAt = this.data.length;
  }
}

export const sseData = (json: string): string => `data: ${json}\n\n`;
export const sseEvent = (name: string, json: string): string => `event: ${name}\ndata: ${json}\n\n`;
export const updateSessionEvent = (): string => sseEvent('update_session', `{"updated_at":${Date.now() / 1000}}`);

const bareFrames = new WeakMap<TokenItem, string>();

/**
 * Writes patches (§7.4) the way the real stream does: `p` and `o` on the first frame of a new
 * path or op, then bare `{"v":…}` frames while both stay the same.
 */
export class PatchWriter {
  private path = '';
  private op = 'SET';

  /** `explicit` names path and op even when they are unchanged (new fragments, as the captures do). */
  patch(path: string, op: string, value: unknown, explicit = false): string {
    if (!explicit && path === this.path && op === this.op) return sseData(JSON.stringify({ v: value }));
    this.path = path;
    this.op = op;
    return sseData(JSON.stringify({ p: path, o: op, v: value }));
  }

  /** An APPEND of one token; the bare form is cached per (shared, immutable) item. */
  token(path: string, item: TokenItem): string {
    if (path !== this.path || this.op !== 'APPEND') return this.patch(path, 'APPEND', item.text);
    let frame = bareFrames.get(item);
    if (frame === undefined) {
      frame = sseData(JSON.stringify({ v: item.text }));
      bareFrames.set(item, frame);
    }
    return frame;
  }

  /** A frame written verbatim that moves the sticky state as the client will see it. */
  raw(json: string, path: string | null): string {
    if (path !== null) this.path = path;
    return sseData(json);
  }
}

export function usageBatch(w: PatchWriter, usage: number, quasiStatus: string): string {
  return w.patch('response', 'BATCH', [
    { p: 'accumulated_token_usage', v: usage },
    { p: 'quasi_status', v: quasiStatus },
  ]);
}

/**
 * The normal end of a B/C message: the usage BATCH with `quasi_status`, the thinking's elapsed time
 * when thinking is still open (`elapsedPath` given), `response/status`, then the closing events.
 */
export function addStatusEnding(
  frames: Frames,
  w: PatchWriter,
  script: StreamScript,
  status: string,
  elapsed: { path: string; secs: number } | null,
): void {
  frames.add(usageBatch(w, script.usage, status));
  if (elapsed) frames.add(w.patch(elapsed.path, 'SET', elapsed.secs));
  frames.add(w.patch('response/status', 'SET', status));
  addClosingEvents(frames, script);
}

/**
 * `finish` (optional), `update_session`, `title` (first exchange), `close`. The upstream names the
 * session before it closes the stream, so everything after `finish` waits for the title.
 */
export function addClosingEvents(frames: Frames, script: StreamScript): void {
  if (script.emitFinish) frames.add(sseEvent('finish', '{}'));
  frames.markTitleWait();
  frames.add(updateSessionEvent());
  if (script.title !== null) frames.add(sseEvent('title', JSON.stringify({ content: script.title })));
  frames.add(sseEvent('close', CLOSE_DATA));
}

/** A failed message without a terminal status: only a `close` that suggests a retry. */
export function addCloseRetry(frames: Frames): void {
  frames.add(sseEvent('close', CLOSE_RETRY_DATA));
}

export function addHintError(frames: Frames, message: string, finishReason: string): void {
  frames.add(
    sseEvent(
      'hint',
      JSON.stringify({ type: 'error', content: message, clear_response: true, finish_reason: finishReason }),
    ),
  );
  frames.add(sseEvent('close', CLOSE_DATA));
}
