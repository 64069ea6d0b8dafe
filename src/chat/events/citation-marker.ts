/** `[citation:N]` and `[reference:N]` markers in answer text (docs/protocol.md §7.9). */

export type MarkerName = 'citation' | 'reference';

export type MarkerMatch =
  | { kind: 'marker'; name: MarkerName; number: number; end: number }
  /** The text ends inside something that may still become a marker. */
  | { kind: 'partial' }
  | { kind: 'none' };

const PARTIAL: MarkerMatch = { kind: 'partial' };
const NONE: MarkerMatch = { kind: 'none' };
const MAX_DIGITS = 6;

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Reads a marker starting at `start`, where `text` holds a `[`. */
export function matchMarker(text: string, start: number): MarkerMatch {
  let i = start + 1;
  if (i >= text.length) return PARTIAL;
  const first = text[i];
  const name: MarkerName | null = first === 'c' ? 'citation' : first === 'r' ? 'reference' : null;
  if (name === null) return NONE;
  for (let k = 0; k < name.length; k++, i++) {
    if (i >= text.length) return PARTIAL;
    if (text[i] !== name[k]) return NONE;
  }
  if (i >= text.length) return PARTIAL;
  if (text[i] !== ':') return NONE;
  const digitsStart = ++i;
  while (i < text.length && isDigit(text.charCodeAt(i))) {
    if (++i - digitsStart > MAX_DIGITS) return NONE;
  }
  if (i >= text.length) return PARTIAL;
  if (text[i] !== ']' || i === digitsStart) return NONE;
  return { kind: 'marker', name, number: Number(text.slice(digitsStart, i)), end: i + 1 };
}

export interface MarkerScan {
  /** The text up to the held tail, with each complete marker replaced. */
  text: string;
  /** A tail that may still become a marker, to prepend to the next delta. */
  held: string;
}

/** Replaces every complete marker in `text` by `replace(name, number)`; holds back a possible marker prefix. */
export function replaceMarkers(text: string, replace: (name: MarkerName, number: number) => string): MarkerScan {
  let start = text.indexOf('[');
  if (start < 0) return { text, held: '' };
  let out = '';
  let copied = 0;
  while (start >= 0) {
    const match = matchMarker(text, start);
    if (match.kind === 'partial') return { text: out + text.slice(copied, start), held: text.slice(start) };
    if (match.kind === 'marker') {
      out += text.slice(copied, start) + replace(match.name, match.number);
      copied = match.end;
      start = text.indexOf('[', copied);
    } else {
      start = text.indexOf('[', start + 1);
    }
  }
  return { text: out + text.slice(copied), held: '' };
}
