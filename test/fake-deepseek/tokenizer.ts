/** Deterministic token lengths, in characters (grapheme clusters). */
const LENGTH_CYCLE = [2, 1, 3, 4, 2, 3, 1, 4, 3, 2];
const CACHE_LIMIT = 256;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const cache = new Map<string, readonly string[]>();

/**
 * Splits text into tokens of 1–4 grapheme clusters (or exactly `charsPerFrame` when > 0). The
 * 1–4 tokeniser puts whitespace runs in tokens of their own, like the real streams' `" "` and
 * `"\n\n"`. A surrogate pair or a multi-codepoint emoji is never split. Results are cached.
 */
export function tokenize(text: string, charsPerFrame = 0): readonly string[] {
  const key = `${charsPerFrame}\u0000${text}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const tokens = charsPerFrame > 0 ? fixedChunks(text, charsPerFrame) : cycleChunks(text);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, tokens);
  return tokens;
}

export function splitGraphemes(text: string): string[] {
  // Fast path: Latin and CJK text without CR (CRLF is one cluster) has one cluster per code unit.
  if (isOneClusterPerUnit(text)) return text.split('');
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

function isOneClusterPerUnit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const latin = c <= 0x02ff && c !== 0x0d;
    const cjk = c >= 0x3000 && c <= 0x9fff && c !== 0x3099 && c !== 0x309a;
    const fullwidth = c >= 0xff00 && c <= 0xff9d;
    if (!latin && !cjk && !fullwidth) return false;
  }
  return true;
}

function fixedChunks(text: string, size: number): string[] {
  const units = splitGraphemes(text);
  const tokens: string[] = [];
  for (let i = 0; i < units.length; i += size) tokens.push(units.slice(i, i + size).join(''));
  return tokens;
}

function cycleChunks(text: string): string[] {
  const tokens: string[] = [];
  for (const run of text.match(/\s+|\S+/gu) ?? []) {
    const units = splitGraphemes(run);
    for (let i = 0; i < units.length;) {
      const length = LENGTH_CYCLE[tokens.length % LENGTH_CYCLE.length];
      tokens.push(units.slice(i, i + length).join(''));
      i += length;
    }
  }
  return tokens;
}

/** Code points, as the protocol counts characters. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) count++;
  }
  return count;
}

/** The first `count` grapheme clusters of `text` (never half a surrogate pair or emoji). */
export function takeGraphemes(text: string, count: number): string {
  if (count <= 0) return '';
  return splitGraphemes(text).slice(0, count).join('');
}

/** The first `count` code points of `text`. */
export function firstCodePoints(text: string, count: number): string {
  let result = '';
  let taken = 0;
  for (const char of text) {
    if (taken++ >= count) break;
    result += char;
  }
  return result;
}
