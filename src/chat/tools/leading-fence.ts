import type { AliasTable } from './tool-markup-aliases';
import type { ParsedInvoke } from './tool-markup-events';
import { isTagSpace, scanTag, TAG_LOOKAHEAD, tagBit } from './tool-markup-tags';

const BACKTICK = 0x60;
const NEWLINE = 0x0a;

type Phase = 'run' | 'info' | 'inner-start' | 'inner' | 'closed';

/** Parses a whole fenced body; returns its invokes when it is exactly one closed, valid block. */
export type FencedBlockReader = (body: string) => ParsedInvoke[] | null;

/**
 * The "fenced anyway" repair: a reply whose only content is one code fence holding one valid tool block
 * is accepted as calls. Entered when a fence character is the first non-blank content; released as text
 * as soon as that cannot hold (not a fence, a body that does not open with a wrapper, a body that is not
 * one valid block, or anything but blanks after the closing fence).
 */
export class LeadingFence {
  position = 0;
  private parts: string[] = [];
  private consumed = 0;
  private phase: Phase = 'run';
  private fenceChar = 0;
  private fenceLength = 0;
  private infoLength = 0;
  private bodyStart = 0;
  private lineStart = 0;
  private lineOnlySpaces = true;
  private indent = 0;
  private runLength = 0;
  /** The closing fence was just seen; `read` settles it once the characters are kept. */
  private closing = false;
  private invokes: ParsedInvoke[] | null = null;

  constructor(
    private readonly table: AliasTable,
    private readonly maxChars: number,
    private readonly readBody: FencedBlockReader,
  ) {}

  begin(fenceChar: number): void {
    this.parts = [];
    this.consumed = 0;
    this.phase = 'run';
    this.fenceChar = fenceChar;
    this.fenceLength = 0;
    this.infoLength = 0;
    this.invokes = null;
    this.closing = false;
    this.runLength = 0;
  }

  raw(): string {
    return this.parts.join('');
  }

  /** Consumes from `from`; false means: release everything as text, from `position` on. */
  read(text: string, from: number): boolean {
    let start = from;
    let at = from;
    let keep = true;
    for (; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (this.phase === 'inner-start' && code === 0x3c) {
        const scan = scanTag(text, at, this.table, tagBit('wrapper', false));
        if (scan === 'partial' || scan === 'partial-open') break;
        if (scan === 'no') keep = false;
        else this.phase = 'inner';
      }
      if (keep) keep = this.step(code, this.consumed + (at - start));
      if (!keep) break;
      if (this.closing) {
        this.keep(text.slice(start, at + 1));
        start = at + 1;
        if (!this.close()) {
          at++;
          keep = false;
          break;
        }
      }
    }
    this.keep(text.slice(start, at));
    this.position = at;
    return keep && this.consumed <= this.maxChars;
  }

  /** The stream ended: the calls when the whole reply was the fenced block, else null (release). */
  finish(): ParsedInvoke[] | null {
    if (this.phase === 'inner' && this.closesFence()) this.close();
    return this.phase === 'closed' ? this.invokes : null;
  }

  private step(code: number, offset: number): boolean {
    switch (this.phase) {
      case 'run':
        if (code === this.fenceChar) {
          this.fenceLength++;
          return true;
        }
        if (this.fenceLength < 3) return false;
        this.phase = 'info';
        return this.step(code, offset);
      case 'info':
        if (code === NEWLINE) {
          this.phase = 'inner-start';
          this.bodyStart = offset + 1;
          this.startLine(offset + 1);
          return true;
        }
        this.infoLength++;
        return !(this.fenceChar === BACKTICK && code === BACKTICK) && this.infoLength <= TAG_LOOKAHEAD;
      case 'inner-start':
        return isTagSpace(code);
      case 'inner':
        return this.stepBody(code, offset);
      case 'closed':
        return isTagSpace(code);
    }
  }

  private stepBody(code: number, offset: number): boolean {
    if (this.runLength > 0 && code !== this.fenceChar) {
      if (this.closesFence() && isTagSpace(code)) {
        this.closing = true;
        return true;
      }
      this.runLength = 0;
    }
    if (code === NEWLINE) {
      this.startLine(offset + 1);
    } else if (code === this.fenceChar && (this.runLength > 0 || (this.lineOnlySpaces && this.indent <= 3))) {
      this.runLength++;
      this.lineOnlySpaces = false;
    } else if (this.lineOnlySpaces && (code === 0x20 || code === 0x09)) {
      this.indent += code === 0x09 ? 4 : 1;
    } else {
      this.lineOnlySpaces = false;
    }
    return true;
  }

  private closesFence(): boolean {
    return this.runLength >= this.fenceLength;
  }

  private close(): boolean {
    this.closing = false;
    const body = this.raw().slice(this.bodyStart, this.lineStart);
    this.invokes = this.readBody(body);
    this.phase = 'closed';
    this.runLength = 0;
    return this.invokes !== null;
  }

  private startLine(offset: number): void {
    this.lineStart = offset;
    this.lineOnlySpaces = true;
    this.indent = 0;
    this.runLength = 0;
  }

  private keep(part: string): void {
    if (part.length === 0) return;
    this.parts.push(part);
    this.consumed += part.length;
  }
}
