import { LeadingFence } from './leading-fence';
import { MarkdownCodeTracker } from './markdown-code-tracker';
import { ToolBlockReader } from './tool-block-reader';
import { AliasTable, DEFAULT_ALIAS_TABLE } from './tool-markup-aliases';
import type { EmitMarkup, MarkupEvent, ParsedInvoke } from './tool-markup-events';
import { isTagSpace, MarkupTag, scanTag, tagBit } from './tool-markup-tags';

export const DEFAULT_MAX_BLOCK_CHARS = 2 * 1024 * 1024;

export interface MarkupParserOptions {
  aliases?: AliasTable;
  /** Characters one block may take before it counts as malformed. */
  maxBlockChars?: number;
  /** Accept a reply that is only one fenced, valid block (the "fenced anyway" repair). */
  fencedRepair?: boolean;
}

export type ParserMode = 'text' | 'fence' | 'block' | 'after' | 'done';

const LT = 0x3c;
const BACKTICK = 0x60;
const TILDE = 0x7e;
/** In text, only these open a block; an `invoke` only when marked (`<|DSML|invoke`). */
const TEXT_OPENERS = tagBit('wrapper', false) | tagBit('invoke', false);
const MARKED_ONLY = tagBit('invoke', false);
const WRAPPER_OPENER = tagBit('wrapper', false);

/** The characters that can change the text state: a tag start, markdown code markers, a line break. */
const NOTABLE = /[<`~\n]/g;

/** Index of the next notable character in `input[from, end)`, or `end`. */
function nextNotable(input: string, from: number, end: number): number {
  NOTABLE.lastIndex = from;
  const match = NOTABLE.exec(input);
  return match === null || match.index > end ? end : match.index;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The streaming parser for one channel's text (docs/tool-calls.md, "Streaming state machine"). Text
 * that cannot start a marker leaves in the call that brought it; only a tail that could still become an
 * opening tag is held (or a lone high surrogate, whose pair comes with the next chunk).
 */
export class ToolMarkupParser {
  private mode: ParserMode = 'text';
  private carry = '';
  private carryOpen = false;
  private seenNonBlank = false;
  private readonly fencedRepair: boolean;
  private readonly tracker = new MarkdownCodeTracker();
  private readonly reader: ToolBlockReader;
  private readonly fence: LeadingFence;
  private readonly aliases: AliasTable;
  /** Characters dropped after a block's trailing text (the upstream is being stopped). */
  droppedChars = 0;

  constructor(options: MarkupParserOptions = {}) {
    this.aliases = options.aliases ?? DEFAULT_ALIAS_TABLE;
    const maxChars = options.maxBlockChars ?? DEFAULT_MAX_BLOCK_CHARS;
    this.fencedRepair = options.fencedRepair ?? true;
    this.reader = new ToolBlockReader(this.aliases, maxChars);
    this.fence = new LeadingFence(this.aliases, maxChars, (body) => readFencedBody(body, this.aliases, maxChars));
  }

  /** What is held back and why (for tests and metrics): `candidateOpen` while a tag or block is being read. */
  holdState(): { mode: ParserMode; held: string; candidateOpen: boolean } {
    const candidateOpen = this.mode === 'text' ? this.carryOpen : this.mode === 'fence' || this.mode === 'block';
    return { mode: this.mode, held: this.carry, candidateOpen };
  }

  /**
   * Called from an `invoke` handler: the current block is not calls after all. Everything read of it goes
   * out as text at once and the rest is read as text.
   */
  releaseBlockAsText(): void {
    this.reader.releaseAsText();
  }

  /** Called from an `invoke` handler: when the current block closes, go on reading text (no after-block rules). */
  resumeTextAfterBlock(): void {
    this.reader.resumeTextAfterBlock();
  }

  push(chunk: string, emit: EmitMarkup): void {
    if (chunk.length === 0) return;
    const input = this.carry.length > 0 ? this.carry + chunk : chunk;
    this.carry = '';
    this.carryOpen = false;
    this.run(input, emit);
  }

  end(emit: EmitMarkup): void {
    const tail = this.carry;
    this.carry = '';
    switch (this.mode) {
      case 'text':
        if (tail.length > 0) emit({ type: 'text', text: tail });
        return;
      case 'fence':
        return this.endFence(tail, emit);
      case 'block':
        return this.endBlock(tail, emit);
      case 'after':
      case 'done':
        return;
    }
  }

  private run(text: string, emit: EmitMarkup): void {
    let input = text;
    let at = 0;
    while (at < input.length) {
      let refeed: string | null = null;
      switch (this.mode) {
        case 'text':
          at = this.readText(input, at, emit);
          break;
        case 'fence':
          if (this.fence.read(input, at)) {
            at = this.holdRest(input, this.fence.position);
          } else {
            refeed = this.fence.raw();
            at = this.fence.position;
            this.mode = 'text';
          }
          break;
        case 'block':
          this.mode = this.reader.readBlock(input, at, emit);
          at = this.mode === 'block' ? this.holdRest(input, this.reader.position) : this.reader.position;
          refeed = this.reader.refeed;
          break;
        case 'after':
          at = this.readAfter(input, at, emit);
          break;
        case 'done':
          this.droppedChars += input.length - at;
          at = input.length;
          break;
      }
      if (refeed !== null && refeed.length > 0) {
        input = refeed + input.slice(at);
        at = 0;
      }
    }
  }

  /** Keeps `input` from `from` as the carry (a tag cut by the chunk boundary) and reports all read. */
  private holdRest(input: string, from: number): number {
    if (from < input.length) this.carry = input.slice(from);
    return input.length;
  }

  private readText(input: string, from: number, emit: EmitMarkup): number {
    const textStart = from;
    let scanEnd = input.length;
    if (isHighSurrogate(input.charCodeAt(scanEnd - 1))) scanEnd--;
    for (let at = from; at < scanEnd; at++) {
      const code = input.charCodeAt(at);
      if (!this.seenNonBlank && this.fencedRepair) {
        if (code === BACKTICK || code === TILDE) {
          this.emitText(input, textStart, at, emit);
          this.mode = 'fence';
          this.seenNonBlank = true;
          this.fence.begin(code);
          return at;
        }
        if (!isTagSpace(code)) this.seenNonBlank = true;
      }
      this.tracker.feed(code);
      if (code !== LT) {
        if (this.tracker.settled && (this.seenNonBlank || !this.fencedRepair)) {
          at = nextNotable(input, at + 1, scanEnd) - 1;
        }
        continue;
      }
      if (this.tracker.inCode) continue;
      const scan = scanTag(input, at, this.aliases, TEXT_OPENERS, MARKED_ONLY);
      if (scan === 'no') continue;
      this.emitText(input, textStart, at, emit);
      if (scan === 'partial' || scan === 'partial-open') {
        this.carryOpen = scan === 'partial-open';
        return this.holdRest(input, at);
      }
      this.openBlock(scan, input.slice(at, scan.end));
      return scan.end;
    }
    this.emitText(input, textStart, scanEnd, emit);
    return this.holdRest(input, scanEnd);
  }

  private emitText(input: string, from: number, to: number, emit: EmitMarkup): void {
    if (to > from) emit({ type: 'text', text: from === 0 && to === input.length ? input : input.slice(from, to) });
  }

  private openBlock(opener: MarkupTag, openerText: string): void {
    this.mode = 'block';
    this.seenNonBlank = true;
    this.reader.begin(opener, openerText);
  }

  private readAfter(input: string, from: number, emit: EmitMarkup): number {
    let at = from;
    while (at < input.length && isTagSpace(input.charCodeAt(at))) at++;
    if (at >= input.length) return at;
    if (input.charCodeAt(at) === LT) {
      const scan = scanTag(input, at, this.aliases, WRAPPER_OPENER);
      if (scan === 'partial' || scan === 'partial-open') return this.holdRest(input, at);
      if (scan !== 'no') {
        this.openBlock(scan, input.slice(at, scan.end));
        return scan.end;
      }
    }
    emit({ type: 'trailing', text: input.slice(at) });
    this.mode = 'done';
    this.droppedChars += input.length - at;
    return input.length;
  }

  private endFence(tail: string, emit: EmitMarkup): void {
    const invokes = tail.length === 0 ? this.fence.finish() : null;
    if (invokes !== null) {
      if (this.reader.emitInvokes(invokes, emit)) emit({ type: 'text', text: this.fence.raw() });
      else emit({ type: 'blockEnd', closed: true });
      return;
    }
    this.mode = 'text';
    this.run(this.fence.raw() + tail, emit);
    this.end(emit);
  }

  private endBlock(tail: string, emit: EmitMarkup): void {
    const text = this.reader.endBlock(tail, emit);
    if (text === null) return;
    this.mode = 'text';
    this.run(text, emit);
    this.end(emit);
  }
}

/** The fenced-anyway check: a fresh parser (without the repair) must see exactly one closed block. */
function readFencedBody(body: string, aliases: AliasTable, maxBlockChars: number): ParsedInvoke[] | null {
  const parser = new ToolMarkupParser({ aliases, maxBlockChars, fencedRepair: false });
  const events: MarkupEvent[] = [];
  const collect: EmitMarkup = (event) => events.push(event);
  parser.push(body, collect);
  parser.end(collect);
  const invokes: ParsedInvoke[] = [];
  let closed = false;
  for (const event of events) {
    if (event.type === 'invoke') invokes.push(event.invoke);
    else if (event.type === 'blockEnd') closed = event.closed;
    else if (event.type !== 'text' || event.text.trim() !== '' || invokes.length > 0) return null;
  }
  return closed && invokes.length > 0 ? invokes : null;
}
