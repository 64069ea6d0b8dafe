import type { JsonRecord } from './json-value';
import { isPatchArray, type PatchDocument } from './patch-document';
import { parsePath, ROOT_PATH, type PatchPath } from './patch-path';

/**
 * The sticky `p`/`o` state of §7.4: each is kept until a frame names it again, so the dominant
 * bare `{"v":"token"}` frame means "same path, same op".
 */
export class StickyPatches {
  private path: PatchPath = ROOT_PATH;
  private op = 'SET';

  constructor(private readonly document: PatchDocument) {}

  /** A new HTTP body: empty document, root path, SET. */
  reset(): void {
    this.path = ROOT_PATH;
    this.op = 'SET';
    this.document.reset();
  }

  applyFrame(frame: JsonRecord): void {
    const { p, o } = frame;
    if (typeof p === 'string') this.path = parsePath(p);
    if (typeof o === 'string') this.op = o.toUpperCase();
    if (!('v' in frame)) return;
    const value = frame.v;
    // An op-less array of {p} objects is a BATCH whatever the sticky op says; it leaves the sticky op alone.
    const op = typeof o !== 'string' && isPatchArray(value) ? 'BATCH' : this.op;
    this.document.apply(this.path, op, value);
  }

  /** Exactly `applyFrame({ v: token })`, without the object. */
  applyBareString(token: string): void {
    this.document.apply(this.path, this.op, token);
  }
}
