/**
 * Where the stripper stands: `lead` drops blanks before the answer; `opening` holds a possible fence
 * line until it is decided; `plain` and `fenced` pass the body through; `after` swallows what follows a
 * closing fence; `done` once `end()` ran.
 */
type Phase = 'lead' | 'opening' | 'plain' | 'fenced' | 'after' | 'done';

/** Blank as `String.prototype.trim` understands it. */
const BLANK = /\s/;
const NOT_BLANK = /\S/;

/**
 * The rest of an opening fence line after its run of fence characters: one optional language word.
 * Prefix-closed (every prefix of an accepted line is accepted), so the decision never depends on how
 * the text was split. A line with anything more (`` ```json {"a":1} ``) is not taken for a fence, lest
 * the JSON be dropped as an info string.
 */
const INFO_LINE = /^[ \t]*[\w.+#-]{0,64}[ \t\r]*$/;

/** Fence runs longer than this are not taken for a fence (nothing would be emitted while they grow). */
const MAX_FENCE_RUN = 64;

function blankRunStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && BLANK.test(text[start - 1])) start--;
  return start;
}

/**
 * Removes one Markdown code fence around a streamed answer. `push` takes the text deltas in order and
 * returns what may be emitted now; `end` returns the rest. The concatenated output is the answer
 * without leading blanks, without the opening fence line (three or more backticks or tildes, an
 * optional info word such as `json`) and without the matching closing fence line; trailing blanks are
 * dropped. Only a possible opening fence (at the start, until decided) and a tail that could still
 * become the closing fence (blanks, then fence characters at the start of a line) are held back; every
 * other character goes out in the call that brought it. Unfenced text passes through.
 *
 * Anything after the closing fence is kept out of the output; `droppedAfterFence` counts it.
 */
export class JsonFenceStripper {
  private phase: Phase = 'lead';
  /** Text received but not yet emitted: the opening line while `opening`, else a tail that may vanish. */
  private held = '';
  /** Something of the body went out, so the held tail is not at the start of a line by itself. */
  private bodyStarted = false;
  private fenceChar = '';
  private fenceLength = 0;
  /** A line start followed by a (possibly still growing) closing fence: indent, fence run, blanks. */
  private closingLine: RegExp = /$^/y;
  private afterChars = 0;
  private afterHasText = false;

  /**
   * Characters that followed the closing fence, dropped from the output; 0 when all of them were blank
   * (a fence followed by newlines is the normal case, not worth a log line).
   */
  get droppedAfterFence(): number {
    return this.afterHasText ? this.afterChars : 0;
  }

  push(text: string): string {
    switch (this.phase) {
      case 'lead':
        return this.pushLead(text);
      case 'opening':
        return this.pushOpening(text);
      case 'plain':
        return this.pushPlain(text);
      case 'fenced':
        return this.pushFenced(text);
      case 'after':
        this.countAfter(text);
        return '';
      case 'done':
        return '';
    }
  }

  end(): string {
    const phase = this.phase;
    const held = this.held;
    this.phase = 'done';
    this.held = '';
    switch (phase) {
      case 'opening':
        // Never decided (no line break came): it was no fence line, so it is text.
        return held.trimEnd();
      case 'fenced':
        return this.endFenced(held);
      case 'lead':
      case 'plain':
      case 'after':
      case 'done':
        // Only trailing blanks can be held here.
        return '';
    }
  }

  private pushLead(text: string): string {
    const start = text.search(NOT_BLANK);
    if (start === -1) return '';
    const first = text[start];
    if (first === '`' || first === '~') {
      this.phase = 'opening';
      this.fenceChar = first;
      return this.pushOpening(text.slice(start));
    }
    this.phase = 'plain';
    return this.pushPlain(text.slice(start));
  }

  private pushOpening(text: string): string {
    const line = this.held + text;
    let run = 0;
    while (run < line.length && line[run] === this.fenceChar) run++;
    if (run === line.length && run <= MAX_FENCE_RUN) {
      this.held = line;
      return '';
    }
    const newline = line.indexOf('\n', run);
    const info = line.slice(run, newline === -1 ? line.length : newline);
    if (run < 3 || run > MAX_FENCE_RUN || !INFO_LINE.test(info)) {
      this.held = '';
      this.phase = 'plain';
      return this.pushPlain(line);
    }
    if (newline === -1) {
      this.held = line;
      return '';
    }
    this.held = '';
    this.phase = 'fenced';
    this.fenceLength = run;
    const fence = this.fenceChar === '`' ? '`' : '~';
    // Up to three spaces of indent, the fence run, blanks, and the line break once it came.
    this.closingLine = new RegExp(` {0,3}(${fence}+)([ \\t\\r]*)(\\n)?`, 'y');
    return this.pushFenced(line.slice(newline + 1));
  }

  /** Everything goes out but a trailing run of blanks, which is dropped if nothing follows it. */
  private pushPlain(text: string): string {
    const buffer = this.held + text;
    const hold = blankRunStart(buffer, buffer.length);
    this.held = buffer.slice(hold);
    return this.emitBody(buffer.slice(0, hold));
  }

  private pushFenced(text: string): string {
    const buffer = this.held + text;
    this.held = '';
    for (let at = this.firstLineStart(buffer); at !== -1; at = nextLineStart(buffer, at)) {
      const fence = this.closingAt(buffer, at, false);
      if (fence === 'no') continue;
      const out = this.emitBody(buffer.slice(0, blankRunStart(buffer, at)));
      if (fence === 'maybe') {
        this.held = buffer.slice(blankRunStart(buffer, at));
        return out;
      }
      this.phase = 'after';
      this.countAfter(buffer.slice(fence));
      return out;
    }
    const hold = blankRunStart(buffer, buffer.length);
    this.held = buffer.slice(hold);
    return this.emitBody(buffer.slice(0, hold));
  }

  /** The held tail is blanks or blanks plus an unfinished fence line; the stream is over. */
  private endFenced(held: string): string {
    for (let at = this.firstLineStart(held); at !== -1; at = nextLineStart(held, at)) {
      if (this.closingAt(held, at, true) !== 'no') return this.emitBody(held.slice(0, blankRunStart(held, at)));
    }
    // Blanks, or fewer fence characters than the opening had: the answer ends without a closing fence.
    return this.emitBody(held.trimEnd());
  }

  /**
   * Whether a closing fence starts at line start `at`: its end (after the line break) when complete,
   * `maybe` when the text ends before that could be decided, `no` otherwise. At the end of the stream
   * a long enough fence run followed by blanks closes without a line break.
   */
  private closingAt(text: string, at: number, final: boolean): number | 'maybe' | 'no' {
    this.closingLine.lastIndex = at;
    const match = this.closingLine.exec(text);
    if (match === null) return 'no';
    const end = at + match[0].length;
    const long = match[1].length >= this.fenceLength;
    if (match[3] !== undefined) return long ? end : 'no';
    if (end < text.length) return 'no';
    if (final) return long ? end : 'no';
    return long || match[2] === '' ? 'maybe' : 'no';
  }

  /** The first line start in a buffer that begins right after emitted text (or at the body's start). */
  private firstLineStart(buffer: string): number {
    return this.bodyStarted ? nextLineStart(buffer, 0) : 0;
  }

  private emitBody(text: string): string {
    const out = this.bodyStarted ? text : text.trimStart();
    if (out !== '') this.bodyStarted = true;
    return out;
  }

  private countAfter(text: string): void {
    this.afterChars += text.length;
    if (!this.afterHasText && NOT_BLANK.test(text)) this.afterHasText = true;
  }
}

/** The index after the next line break at or after `from`, or -1. */
function nextLineStart(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? -1 : newline + 1;
}
