const BACKTICK = 0x60;
const TILDE = 0x7e;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;

function isLineSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === NEWLINE;
}

/**
 * Knows, one character at a time and across chunks, whether the text is inside markdown code: a fenced
 * block (``` or ~~~, three or more, indented at most three spaces, closed by a run of the same character
 * at least as long) or an inline backtick span (closed by a run of the same length). Inline spans end at
 * a line break here: a stray backtick in prose must not hide a tool block on a later line.
 *
 * A run of fence characters is only judged at the character after it, so a marker split across chunks
 * counts; feeding the same non-fence character twice in a row changes nothing.
 */
export class MarkdownCodeTracker {
  private onlySpacesSoFar = true;
  private indent = 0;
  private runChar = 0;
  private runLength = 0;
  private runStartsLine = false;
  private fenceChar = 0;
  private fenceLength = 0;
  private inlineLength = 0;

  get inCode(): boolean {
    return this.fenceLength > 0 || this.inlineLength > 0;
  }

  /** True when any character but a backtick, a tilde or a line break would leave the state as it is. */
  get settled(): boolean {
    return this.runLength === 0 && !this.onlySpacesSoFar;
  }

  feed(code: number): void {
    if (this.runLength > 0) {
      if (code === this.runChar) {
        this.runLength++;
        return;
      }
      this.endRun(code);
    }
    if (code === BACKTICK || code === TILDE) {
      this.runChar = code;
      this.runLength = 1;
      this.runStartsLine = this.onlySpacesSoFar && this.indent <= 3;
      this.onlySpacesSoFar = false;
    } else if (code === NEWLINE) {
      this.onlySpacesSoFar = true;
      this.indent = 0;
      this.inlineLength = 0;
    } else if (this.onlySpacesSoFar && (code === SPACE || code === TAB)) {
      this.indent += code === TAB ? 4 : 1;
    } else {
      this.onlySpacesSoFar = false;
    }
  }

  private endRun(next: number): void {
    const char = this.runChar;
    const length = this.runLength;
    this.runLength = 0;
    this.runChar = 0;
    if (this.fenceLength > 0) {
      if (this.runStartsLine && char === this.fenceChar && length >= this.fenceLength && isLineSpace(next)) {
        this.fenceLength = 0;
        this.fenceChar = 0;
      }
      return;
    }
    if (this.inlineLength > 0) {
      if (char === BACKTICK && length === this.inlineLength) this.inlineLength = 0;
      return;
    }
    if (this.runStartsLine && length >= 3) {
      this.fenceChar = char;
      this.fenceLength = length;
    } else if (char === BACKTICK) {
      this.inlineLength = length;
    }
  }
}
