/**
 * `MODEL_ALIASES`: client model names (a trailing `*` matches any rest) mapped to one of our model names,
 * e.g. `claude-opus*=deepseek-reasoner,claude-haiku*=deepseek-chat`. The first matching rule wins.
 */
export interface ModelAlias {
  /** Lower case; without the `*`. */
  pattern: string;
  prefix: boolean;
  target: string;
}

export const DEFAULT_MODEL_ALIASES =
  'claude-opus*=deepseek-reasoner,claude-sonnet*=deepseek-reasoner,claude-haiku*=deepseek-chat';

const RULE = /^([\w.:-]+)(\*?)=([\w.:-]+)$/;

/** The rules, or null when the text is not a comma-separated list of `name[*]=model`. */
export function parseModelAliases(text: string): ModelAlias[] | null {
  const aliases: ModelAlias[] = [];
  for (const rule of text.split(',')) {
    const match = RULE.exec(rule.trim());
    if (!match) return null;
    aliases.push({ pattern: match[1].toLowerCase(), prefix: match[2] === '*', target: match[3] });
  }
  return aliases;
}

/** The model an alias sends `name` to, or `name` itself when no rule matches. */
export function resolveAlias(name: string, aliases: readonly ModelAlias[]): string {
  const lower = name.toLowerCase();
  const rule = aliases.find(({ pattern, prefix }) => (prefix ? lower.startsWith(pattern) : lower === pattern));
  return rule ? rule.target : name;
}
