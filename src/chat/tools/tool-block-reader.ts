import type { AliasTable } from './tool-markup-aliases';
import type { ParsedInvoke, ParsedParameter } from './tool-markup-events';
import { isTagSpace, MarkupTag, scanTag, TagMask, tagBit } from './tool-markup-tags';
import type { MalformedReason } from './tool-types';

/** What `ToolBlockReader.read` stopped on. */
export type BlockStep = 'need-more' | 'invoke' | 'closed' | 'failed';

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

type Place = 'between' | 'in-invoke' | 'value';
/** `maybe`: the value is blank so far and could still open with CDATA. */
type CdataState = 'maybe' | 'inside' | 'done' | 'never';

const BETWEEN_TAGS: TagMask = tagBit('invoke', false) | tagBit('wrapper', true) | tagBit('wrapper', false);
const IN_INVOKE_TAGS: TagMask =
  tagBit('parameter', false) | tagBit('invoke', true) | tagBit('wrapper', true) | tagBit('parameter', true);
const PARAMETER_CLOSER: TagMask = tagBit('parameter', true);

/**
 * The BLOCK state of the markup parser: everything from an opening wrapper (or, for a provisional block,
 * a marked `invoke`) to the wrapper closer. Reads whatever part of a chunk it can; the parser carries the
 * unread tail (a tag cut by the chunk boundary) into the next call.
 */
export class ToolBlockReader {
  /** Where `read` stopped: just past what it consumed. */
  position = 0;
  failure: MalformedReason | null = null;
  provisional = false;
  invokeSeen = false;
  /** The invokes read so far in this block. */
  readonly invokes: ParsedInvoke[] = [];
  private rawParts: string[] = [];
  private rawLength = 0;
  private openerLength = 0;
  private place: Place = 'between';
  private invoke: ParsedInvoke | null = null;
  private parameter: { name: string; stringAttribute: string | null } | null = null;
  private valueParts: string[] = [];
  private valueLength = 0;
  private cdata: CdataState = 'maybe';
  private cdataInnerEnd = 0;

  constructor(
    private readonly table: AliasTable,
    private readonly maxChars: number,
  ) {}

  /** Starts a block at its opener (a wrapper, or a marked invoke for a provisional block). */
  begin(opener: MarkupTag, openerText: string): void {
    this.rawParts = [];
    this.rawLength = 0;
    this.invokes.length = 0;
    this.failure = null;
    this.invokeSeen = false;
    this.provisional = opener.element === 'invoke';
    this.place = 'between';
    this.keepRaw(openerText);
    this.openerLength = openerText.length;
    if (this.provisional) this.openInvoke(opener);
  }

  raw(): string {
    return this.rawParts.join('');
  }

  /** The raw text after the opener (a failed mention or provisional block re-reads it as text). */
  rawAfterOpener(): string {
    return this.raw().slice(this.openerLength);
  }

  openerText(): string {
    return this.raw().slice(0, this.openerLength);
  }

  read(text: string, from: number): BlockStep {
    let at = from;
    while (at < text.length) {
      if (this.rawLength > this.maxChars) return this.fail('over_cap', at);
      if (this.place === 'value') {
        const next = this.readValue(text, at);
        if (next < 0) return 'need-more';
        at = next;
        continue;
      }
      const spaceEnd = skipSpaces(text, at);
      if (spaceEnd > at) this.keepRaw(text.slice(at, spaceEnd));
      at = spaceEnd;
      if (at >= text.length) break;
      if (text.charCodeAt(at) !== 0x3c) return this.fail('unexpected_text', at);
      const scan = scanTag(text, at, this.table, this.place === 'between' ? BETWEEN_TAGS : IN_INVOKE_TAGS);
      if (scan === 'partial' || scan === 'partial-open') {
        this.needMore(at);
        return 'need-more';
      }
      if (scan === 'no') return this.fail('unexpected_text', at);
      this.keepRaw(text.slice(at, scan.end));
      at = scan.end;
      const step = this.onTag(scan);
      if (step === 'failed') return this.fail(this.failure ?? 'mismatched_tag', at);
      if (step !== null) {
        this.position = at;
        return step;
      }
    }
    this.needMore(text.length);
    return 'need-more';
  }

  /**
   * The stream ended inside the block. True when only the wrapper closer is missing (`tail`, the carried
   * text, is blank or the start of that closer); otherwise `failure` says why the block fails closed.
   */
  acceptAtEnd(tail: string): boolean {
    if (this.place === 'between' && this.invokeSeen && !this.provisional) {
      const trimmed = tail.trimStart();
      if (trimmed === '') return true;
      const scan = scanTag(trimmed, 0, this.table, tagBit('wrapper', true));
      if (scan === 'partial' || scan === 'partial-open') return true;
    }
    this.failure = this.place === 'value' && this.cdata === 'inside' ? 'unclosed_cdata' : 'truncated';
    return false;
  }

  private onTag(tag: MarkupTag): BlockStep | 'failed' | null {
    if (this.place === 'between') {
      if (tag.element === 'wrapper' && tag.closing) return 'closed';
      if (tag.element === 'invoke' && !tag.closing) return this.openInvoke(tag);
      return 'failed';
    }
    if (tag.element === 'invoke' && tag.closing) return this.closeInvoke();
    if (tag.element === 'parameter' && !tag.closing) {
      if (tag.name === null) return this.failWith('missing_name');
      this.parameter = { name: tag.name, stringAttribute: tag.stringAttribute };
      this.valueParts = [];
      this.valueLength = 0;
      this.cdata = 'maybe';
      this.place = 'value';
      if (tag.selfClosing) this.closeParameter();
      return null;
    }
    return 'failed';
  }

  private openInvoke(tag: MarkupTag): BlockStep | 'failed' | null {
    this.invokeSeen = true;
    if (tag.name === null) return this.failWith('missing_name');
    this.invoke = { name: tag.name, parameters: [] };
    this.place = 'in-invoke';
    return tag.selfClosing ? this.closeInvoke() : null;
  }

  private closeInvoke(): BlockStep {
    if (this.invoke !== null) this.invokes.push(this.invoke);
    this.invoke = null;
    this.place = 'between';
    return 'invoke';
  }

  /** Reads value data from `at`; returns where to go on, or -1 when the chunk is used up. */
  private readValue(text: string, at: number): number {
    if (this.cdata === 'inside') {
      const close = text.indexOf(CDATA_CLOSE, at);
      if (close < 0) {
        const keep = partialSuffix(text, CDATA_CLOSE);
        this.keepValue(text, at, text.length - keep);
        this.needMore(text.length - keep);
        return -1;
      }
      this.keepValue(text, at, close);
      this.cdataInnerEnd = this.valueLength;
      this.keepValue(text, close, close + CDATA_CLOSE.length);
      this.cdata = 'done';
      return close + CDATA_CLOSE.length;
    }
    const lt = text.indexOf('<', at);
    const dataEnd = lt < 0 ? text.length : lt;
    this.keepValue(text, at, dataEnd);
    if (lt < 0) {
      this.needMore(text.length);
      return -1;
    }
    if (this.cdata === 'maybe') {
      const available = Math.min(CDATA_OPEN.length, text.length - lt);
      if (text.startsWith(CDATA_OPEN.slice(0, available), lt)) {
        if (available < CDATA_OPEN.length) {
          this.needMore(lt);
          return -1;
        }
        this.keepValue(text, lt, lt + CDATA_OPEN.length);
        this.cdata = 'inside';
        return lt + CDATA_OPEN.length;
      }
    }
    const scan = scanTag(text, lt, this.table, PARAMETER_CLOSER);
    if (scan === 'partial' || scan === 'partial-open') {
      this.needMore(lt);
      return -1;
    }
    if (scan === 'no') {
      this.keepValue(text, lt, lt + 1);
      return lt + 1;
    }
    this.keepRaw(text.slice(lt, scan.end));
    this.closeParameter();
    return scan.end;
  }

  private closeParameter(): void {
    const raw = this.valueParts.join('');
    const parameter = this.parameter;
    this.parameter = null;
    this.valueParts = [];
    this.place = 'in-invoke';
    if (parameter === null || this.invoke === null) return;
    const attribute = parameter.stringAttribute;
    const stringAttribute = attribute === 'true' || attribute === 'false' ? attribute : null;
    this.invoke.parameters.push({
      name: parameter.name,
      stringAttribute,
      ...unwrapCdata(raw, this.cdata, this.cdataInnerEnd),
    });
  }

  private keepValue(text: string, from: number, to: number): void {
    if (to <= from) return;
    const part = text.slice(from, to);
    this.valueParts.push(part);
    this.valueLength += part.length;
    this.keepRaw(part);
    if (this.cdata === 'maybe' && !isBlank(part)) this.cdata = 'never';
  }

  private keepRaw(part: string): void {
    this.rawParts.push(part);
    this.rawLength += part.length;
  }

  private needMore(position: number): void {
    this.position = position;
  }

  private failWith(reason: MalformedReason): 'failed' {
    this.failure = reason;
    return 'failed';
  }

  private fail(reason: MalformedReason, position: number): BlockStep {
    this.failure = reason;
    this.position = position;
    return 'failed';
  }
}

function unwrapCdata(raw: string, cdata: CdataState, innerEnd: number): Pick<ParsedParameter, 'value' | 'cdata'> {
  if (cdata !== 'done') return { value: raw, cdata: false };
  const open = raw.indexOf(CDATA_OPEN);
  if (!isBlank(raw.slice(innerEnd + CDATA_CLOSE.length))) return { value: raw, cdata: false };
  return { value: raw.slice(open + CDATA_OPEN.length, innerEnd), cdata: true };
}

function skipSpaces(text: string, from: number): number {
  let at = from;
  while (at < text.length && isTagSpace(text.charCodeAt(at))) at++;
  return at;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isTagSpace(text.charCodeAt(i))) return false;
  return true;
}

/** How many characters at the end of `text` could begin `marker` (0 to marker.length - 1). */
function partialSuffix(text: string, marker: string): number {
  for (let keep = Math.min(marker.length - 1, text.length); keep > 0; keep--) {
    if (text.endsWith(marker.slice(0, keep))) return keep;
  }
  return 0;
}
