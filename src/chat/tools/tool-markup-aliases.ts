/**
 * The element names the tolerant parser accepts (docs/tool-calls.md, "Tolerant input"). Data, not code:
 * a variant seen in the wild is one more entry here. Names compare case-insensitively with `-` = `_`.
 */
export type MarkupElement = 'wrapper' | 'invoke' | 'parameter';

export interface MarkupAliases {
  wrapper: readonly string[];
  invoke: readonly string[];
  parameter: readonly string[];
  /** Words that only mark a tag as ours (`<|DSML|invoke>`, `<dsml-invoke>`), skipped before the name. */
  markerWords: readonly string[];
}

export const DEFAULT_MARKUP_ALIASES: MarkupAliases = {
  wrapper: ['tool_calls', 'function_calls'],
  invoke: ['invoke'],
  parameter: ['parameter'],
  markerWords: ['dsml'],
};

export interface AliasEntry {
  /** Lower case, `_` for `-`. */
  name: string;
  element: MarkupElement;
}

export interface AliasTable {
  entries: readonly AliasEntry[];
  markerWords: readonly string[];
}

export function normaliseAlias(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}

export function buildAliasTable(aliases: MarkupAliases = DEFAULT_MARKUP_ALIASES): AliasTable {
  const entries: AliasEntry[] = [];
  for (const element of ['wrapper', 'invoke', 'parameter'] as const) {
    for (const name of aliases[element]) entries.push({ name: normaliseAlias(name), element });
  }
  return { entries, markerWords: aliases.markerWords.map(normaliseAlias) };
}

export const DEFAULT_ALIAS_TABLE: AliasTable = buildAliasTable();
