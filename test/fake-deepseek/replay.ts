import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Frames } from './formats/frames';
import type { MessageStatus } from './types';

export interface ReplayCapture {
  /** Response bodies in order: the completion, then continue rounds. */
  rounds: Buffer[];
}

const READY_LINE = Buffer.from('\nevent: ready\n');
const SSE_LINE_START = /^(event|data|id|retry)?:/;

/**
 * Loads `<capturesDir>/<id>/upstream.stream.sse`: drops a leading line that is not SSE (a capture
 * artifact, see the captures README) and splits a multi-round file at its second `event: ready` line.
 */
export function loadReplay(capturesDir: string, id: string): ReplayCapture {
  if (!/^[\w.-]+$/.test(id)) throw new Error(`invalid capture id: ${id}`);
  let body = readFileSync(join(capturesDir, id, 'upstream.stream.sse'));
  const firstLineEnd = body.indexOf(0x0a);
  if (firstLineEnd > 0 && !SSE_LINE_START.test(body.subarray(0, firstLineEnd).toString('utf8'))) {
    body = body.subarray(firstLineEnd + 1);
  }
  const rounds: Buffer[] = [];
  let start = 0;
  for (;;) {
    const next = body.indexOf(READY_LINE, start + 1);
    if (next < 0) break;
    rounds.push(body.subarray(start, next + 1));
    start = next + 1;
  }
  rounds.push(body.subarray(start));
  return { rounds };
}

/** A body as frames cut after each blank line (byte-exact; every frame paced like a token). */
export function replayFrames(body: Buffer): Frames {
  const frames = new Frames();
  let start = 0;
  for (;;) {
    const blank = body.indexOf('\n\n', start);
    if (blank < 0) break;
    frames.add(body.subarray(start, blank + 2), true);
    start = blank + 2;
  }
  if (start < body.length) frames.add(body.subarray(start), true);
  return frames;
}

/** The last `response/status` a body sets (null when it never does). */
export function replayStatus(body: Buffer): MessageStatus | null {
  const matches = body.toString('utf8').matchAll(/"p":"response\/status"(?:,"o":"SET")?,"v":"([A-Z_]+)"/g);
  let status: string | null = null;
  for (const match of matches) status = match[1];
  return status as MessageStatus | null;
}
