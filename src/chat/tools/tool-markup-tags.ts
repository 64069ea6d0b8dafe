import type { AliasTable, MarkupElement } from './tool-markup-aliases';

/** Longest tail held while it could still become a tag name (`<|DSML|function_calls` is 22). */
export const TAG_LOOKAHEAD = 48;
/** Longest tag, attributes included, once its name is known. */
export const TAG_LIMIT = 1024;

export interface MarkupTag {
  element: MarkupElement;
  closing: boolean;
  selfClosing: boolean;
  /** Written with pipes or a marker word (`<|DSML|invoke>`), as opposed to a plain `<invoke>`. */
  marked: boolean;
  /** The `name` attribute, when present. */
  name: string | null;
  /** The `string` attribute in lower case, when present. */
  stringAttribute: string | null;
  /** Index just past the tag. */
  end: number;
}

/**
 * `no`: not a tag we accept here. `partial`: the text ran out while it could still become one (held
 * briefly, within TAG_LOOKAHEAD). `partial-open`: the element name is known and the attributes are still
 * coming (held up to TAG_LIMIT).
 */
export type TagScan = MarkupTag | 'no' | 'partial' | 'partial-open';

/** Which tags a caller accepts: a bit per element and direction (see `tagBit`). */
export type TagMask = number;

const ELEMENT_ORDER: Record<MarkupElement, number> = { wrapper: 0, invoke: 1, parameter: 2 };

export function tagBit(element: MarkupElement, closing: boolean): TagMask {
  return 1 << (ELEMENT_ORDER[element] * 2 + (closing ? 1 : 0));
}

export const ANY_TAG: TagMask = 0b111111;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const PIPE = 0x7c;
const FULLWIDTH_PIPE = 0xff5c;
const HYPHEN = 0x2d;
const UNDERSCORE = 0x5f;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

export function isTagSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isPipe(code: number): boolean {
  return code === PIPE || code === FULLWIDTH_PIPE;
}

function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** Lower case with `-` read as `_`, so `Tool-Calls` compares equal to `tool_calls`. */
function foldNameChar(code: number): number {
  return code === HYPHEN ? UNDERSCORE : lowerAscii(code);
}

function isNameBoundary(code: number): boolean {
  return isTagSpace(code) || code === GT || code === SLASH || isPipe(code);
}

function isAttributeNameChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f
  );
}

/** 1: `word` starts at `at`; 0: it does not; -1: the text ends inside a possible match. */
function matchFolded(text: string, at: number, word: string): 1 | 0 | -1 {
  for (let k = 0; k < word.length; k++) {
    if (at + k >= text.length) return -1;
    if (foldNameChar(text.charCodeAt(at + k)) !== word.charCodeAt(k)) return 0;
  }
  return 1;
}

/**
 * Reads a tag of the tolerant grammar starting at `text[start] === '<'`: pipes (ASCII or full-width),
 * spaces after them, marker words, a doubled `<`, the closing `/` anywhere before the name, hyphenated or
 * collapsed names, a trailing `|` instead of `>`. Allocates only for a complete tag.
 */
export function scanTag(
  text: string,
  start: number,
  table: AliasTable,
  accept: TagMask,
  markedOnly: TagMask = 0,
): TagScan {
  const length = text.length;
  let at = start + 1;
  if (at < length && text.charCodeAt(at) === LT) at++;
  let closing = false;
  let marked = false;
  for (;;) {
    if (at >= length) return 'partial';
    if (at - start > TAG_LOOKAHEAD) return 'no';
    const code = text.charCodeAt(at);
    if (code === SLASH && !closing) {
      closing = true;
      at++;
    } else if (isPipe(code)) {
      marked = true;
      at++;
    } else if (marked && (code === 0x20 || code === HYPHEN || code === UNDERSCORE)) {
      at++;
    } else {
      const word = markerWordAt(text, at, table);
      if (word === -1) return 'partial';
      if (word === 0) break;
      marked = true;
      at += word;
    }
  }
  let element: MarkupElement | null = null;
  let ranOut = false;
  for (const entry of table.entries) {
    const bit = tagBit(entry.element, closing);
    if ((accept & bit) === 0 || (!marked && (markedOnly & bit) !== 0)) continue;
    const match = matchFolded(text, at, entry.name);
    if (match === -1) ranOut = true;
    if (match !== 1) continue;
    const boundary = at + entry.name.length;
    if (boundary >= length) ranOut = true;
    else if (isNameBoundary(text.charCodeAt(boundary))) {
      element = entry.element;
      at = boundary;
      break;
    }
  }
  if (element === null) return ranOut && length - start <= TAG_LOOKAHEAD ? 'partial' : 'no';
  return scanAttributes(text, start, at, { element, closing, marked });
}

/** Length of a marker word at `at` (0 if none, -1 if the text ends inside one). */
function markerWordAt(text: string, at: number, table: AliasTable): number {
  let ranOut = false;
  for (const word of table.markerWords) {
    const match = matchFolded(text, at, word);
    if (match === 1) return word.length;
    if (match === -1) ranOut = true;
  }
  return ranOut ? -1 : 0;
}

interface TagHead {
  element: MarkupElement;
  closing: boolean;
  marked: boolean;
}

function scanAttributes(text: string, start: number, from: number, head: TagHead): TagScan {
  const length = text.length;
  let name: string | null = null;
  let stringAttribute: string | null = null;
  let selfClosing = false;
  let at = from;
  const finish = (end: number): MarkupTag => ({ ...head, selfClosing, name, stringAttribute, end });
  for (;;) {
    if (at >= length) return 'partial-open';
    if (at - start > TAG_LIMIT) return 'no';
    const code = text.charCodeAt(at);
    if (isTagSpace(code)) {
      at++;
    } else if (code === GT) {
      return finish(at + 1);
    } else if (code === SLASH) {
      selfClosing = true;
      at++;
    } else if (isPipe(code)) {
      while (at < length && (isPipe(text.charCodeAt(at)) || text.charCodeAt(at) === 0x20)) at++;
      if (at >= length) return 'partial-open';
      return finish(text.charCodeAt(at) === GT ? at + 1 : at);
    } else if (isAttributeNameChar(code)) {
      const attribute = readAttribute(text, at);
      if (attribute === 'partial') return length - start > TAG_LIMIT ? 'no' : 'partial-open';
      if (attribute === 'no') return 'no';
      if (attribute.key === 'name') name = attribute.value;
      else if (attribute.key === 'string') stringAttribute = attribute.value.toLowerCase();
      at = attribute.end;
    } else {
      return 'no';
    }
  }
}

interface Attribute {
  key: string;
  value: string;
  end: number;
}

function readAttribute(text: string, from: number): Attribute | 'no' | 'partial' {
  const length = text.length;
  let at = from;
  while (at < length && isAttributeNameChar(text.charCodeAt(at))) at++;
  const key = text.slice(from, at).toLowerCase();
  while (at < length && isTagSpace(text.charCodeAt(at))) at++;
  if (at >= length) return 'partial';
  if (text.charCodeAt(at) !== EQUALS) return 'no';
  at++;
  while (at < length && isTagSpace(text.charCodeAt(at))) at++;
  if (at >= length) return 'partial';
  const quote = text.charCodeAt(at);
  if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
    const close = text.indexOf(String.fromCharCode(quote), at + 1);
    if (close < 0) return 'partial';
    return { key, value: text.slice(at + 1, close), end: close + 1 };
  }
  const valueStart = at;
  while (at < length) {
    const code = text.charCodeAt(at);
    if (isTagSpace(code) || code === GT || code === SLASH || isPipe(code)) break;
    at++;
  }
  if (at >= length) return 'partial';
  return { key, value: text.slice(valueStart, at), end: at };
}
