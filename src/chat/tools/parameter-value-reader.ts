import type { AliasTable } from './tool-markup-aliases';
import type { ParsedParameter } from './tool-markup-events';
import { isTagSpace, scanTag, tagBit } from './tool-markup-tags';

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
const PARAMETER_CLOSER = tagBit('parameter', true);

/** `maybe`: the value is blank so far and could still open with CDATA. */
type CdataState = 'maybe' | 'inside' | 'done' | 'never';

/**
 * The `param-value` sub-state: raw data up to a parameter closer. Fences, fake tags and any `<` are
 * data; inside a leading CDATA section only `]]>` counts until it comes.
 */
export class ParameterValueReader {
  /** Where the chunk stopped being readable (the start of a possible closer to carry). */
  position = 0;
  private parts: string[] = [];
  private length = 0;
  private cdata: CdataState = 'maybe';
  private cdataInnerEnd = 0;

  constructor(
    private readonly table: AliasTable,
    /** Receives every consumed piece, closer included, for the block's raw text. */
    private readonly keepRaw: (part: string) => void,
  ) {}

  get insideCdata(): boolean {
    return this.cdata === 'inside';
  }

  start(): void {
    this.parts = [];
    this.length = 0;
    this.cdata = 'maybe';
  }

  /** Index just past the closer when the value ends in this chunk; -1 when more text is needed. */
  read(text: string, from: number): number {
    let at = from;
    for (;;) {
      if (this.cdata === 'inside') {
        const close = text.indexOf(CDATA_CLOSE, at);
        if (close < 0) return this.needMore(text, at, text.length - partialSuffix(text, CDATA_CLOSE));
        this.keep(text, at, close);
        this.cdataInnerEnd = this.length;
        this.keep(text, close, close + CDATA_CLOSE.length);
        this.cdata = 'done';
        at = close + CDATA_CLOSE.length;
        continue;
      }
      const lt = text.indexOf('<', at);
      if (lt < 0) return this.needMore(text, at, text.length);
      this.keep(text, at, lt);
      if (this.cdata === 'maybe') {
        const available = Math.min(CDATA_OPEN.length, text.length - lt);
        if (text.startsWith(CDATA_OPEN.slice(0, available), lt)) {
          if (available < CDATA_OPEN.length) return this.needMore(text, lt, lt);
          this.keep(text, lt, lt + CDATA_OPEN.length);
          this.cdata = 'inside';
          at = lt + CDATA_OPEN.length;
          continue;
        }
      }
      const scan = scanTag(text, lt, this.table, PARAMETER_CLOSER);
      if (scan === 'partial' || scan === 'partial-open') return this.needMore(text, lt, lt);
      if (scan === 'no') {
        this.keep(text, lt, lt + 1);
        at = lt + 1;
        continue;
      }
      this.keepRaw(text.slice(lt, scan.end));
      return scan.end;
    }
  }

  /** The value read, one wrapping CDATA section removed. */
  finish(): Pick<ParsedParameter, 'value' | 'cdata'> {
    const raw = this.parts.join('');
    this.parts = [];
    if (this.cdata !== 'done' || !isBlank(raw.slice(this.cdataInnerEnd + CDATA_CLOSE.length))) {
      return { value: raw, cdata: false };
    }
    return { value: raw.slice(raw.indexOf(CDATA_OPEN) + CDATA_OPEN.length, this.cdataInnerEnd), cdata: true };
  }

  private needMore(text: string, from: number, to: number): -1 {
    this.keep(text, from, to);
    this.position = to;
    return -1;
  }

  private keep(text: string, from: number, to: number): void {
    if (to <= from) return;
    const part = text.slice(from, to);
    this.parts.push(part);
    this.length += part.length;
    this.keepRaw(part);
    if (this.cdata === 'maybe' && !isBlank(part)) this.cdata = 'never';
  }
}

export function isBlank(text: string): boolean {
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
