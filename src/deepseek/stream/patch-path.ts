/** Paths of the patch language (docs/protocol.md §7.4), parsed once and cached. */

/** What a path means to the text emitter; everything else is metadata. */
export type PathTarget = 'fragmentContent' | 'answerField' | 'thinkingField' | 'other';

export interface PatchPath {
  readonly raw: string;
  readonly keys: readonly string[];
  /** Each segment as an integer (negative counts from the end), NaN when it is not an index. */
  readonly indexes: readonly number[];
  readonly target: PathTarget;
  /** The last segment is or ends with `status`: such values are enums and never concatenated. */
  readonly isStatus: boolean;
  /** False when a segment could reach an object prototype; such patches are ignored. */
  readonly isSafe: boolean;
}

const INDEX_SEGMENT = /^-?\d+$/;
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
/** The upstream uses a handful of paths; the bound only matters for a misbehaving upstream. */
const CACHE_LIMIT = 1024;
const cache = new Map<string, PatchPath>();

export const ROOT_PATH: PatchPath = parsePath('');

export function parsePath(raw: string): PatchPath {
  const cached = cache.get(raw);
  if (cached !== undefined) return cached;
  const keys = raw.split('/').filter((key) => key !== '');
  const path: PatchPath = {
    raw,
    keys,
    indexes: keys.map((key) => (INDEX_SEGMENT.test(key) ? Number(key) : NaN)),
    target: targetOf(keys),
    isStatus: keys.length > 0 && keys[keys.length - 1].endsWith('status'),
    isSafe: keys.every((key) => !UNSAFE_SEGMENTS.has(key)),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, path);
  return path;
}

/** BATCH sub-patch paths are relative to the batch path. */
export function joinPath(base: PatchPath, relative: string): PatchPath {
  if (base.raw === '') return parsePath(relative);
  return parsePath(relative === '' ? base.raw : `${base.raw}/${relative}`);
}

/** Resolves a possibly negative index against the array's length now; -1 when out of range. */
export function resolveIndex(index: number, length: number, allowEnd: boolean): number {
  const resolved = index < 0 ? index + length : index;
  if (!(resolved >= 0) || resolved > length || (resolved === length && !allowEnd)) return -1;
  return resolved;
}

function targetOf(keys: readonly string[]): PathTarget {
  if (keys[0] !== 'response') return 'other';
  if (keys.length === 2) {
    if (keys[1] === 'content') return 'answerField';
    if (keys[1] === 'thinking_content') return 'thinkingField';
  }
  if (keys.length === 4 && keys[1] === 'fragments' && keys[3] === 'content' && INDEX_SEGMENT.test(keys[2])) {
    return 'fragmentContent';
  }
  return 'other';
}
