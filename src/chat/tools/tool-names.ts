/** How a name the model wrote maps to a declared tool. */
export type NameResolution =
  | { kind: 'exact'; name: string }
  /** A unique match after normalising; the declared name is emitted. */
  | { kind: 'normalised'; name: string }
  /** No match, or several (ambiguous). */
  | { kind: 'unknown' };

const KNOWN_PREFIXES = ['functions.', 'default_api:', 'default_api.'];

/** Case-insensitive, `-` = `_`, without the prefixes models add from other tool dialects. */
export function normaliseToolName(name: string): string {
  let folded = name.trim().toLowerCase().replaceAll('-', '_');
  for (const prefix of KNOWN_PREFIXES) if (folded.startsWith(prefix)) folded = folded.slice(prefix.length);
  return folded;
}

/** The part after the last namespace separator (`.`, `:`, `/` or a `__` of flattened namespaces). */
export function baseToolName(normalised: string): string {
  const dunder = normalised.lastIndexOf('__');
  const cut = Math.max(
    normalised.lastIndexOf('.'),
    normalised.lastIndexOf(':'),
    normalised.lastIndexOf('/'),
    dunder >= 0 ? dunder + 1 : -1,
  );
  return cut >= 0 ? normalised.slice(cut + 1) : normalised;
}

function uniqueMatch(declared: readonly string[], key: (name: string) => string, wanted: string): string | null {
  let found: string | null = null;
  for (const name of declared) {
    if (key(name) !== wanted) continue;
    if (found !== null) return null;
    found = name;
  }
  return found;
}

/**
 * Exact match first; then a unique match of the normalised names; then a unique match of the base names
 * (prefix and namespace drift). Anything else, ambiguity included, is unknown: the allow-list is ours
 * to enforce.
 */
export function resolveToolName(written: string, declared: readonly string[]): NameResolution {
  if (declared.includes(written)) return { kind: 'exact', name: written };
  const normalised = normaliseToolName(written);
  const byName = uniqueMatch(declared, normaliseToolName, normalised);
  if (byName !== null) return { kind: 'normalised', name: byName };
  if (declared.some((name) => normaliseToolName(name) === normalised)) return { kind: 'unknown' };
  const base = baseToolName(normalised);
  const byBase = uniqueMatch(declared, (name) => baseToolName(normaliseToolName(name)), base);
  return byBase !== null ? { kind: 'normalised', name: byBase } : { kind: 'unknown' };
}
