/** One key of `DEEPSEEK_API_KEYS`, with how many requests it may run at once. */
export interface ApiKeySetting {
  key: string;
  concurrency: number;
}

const ENTRY = /^([^\s=,]+)(?:=(\d+))?$/;

/**
 * `DEEPSEEK_API_KEYS`: `sk-a,sk-b=4`, each key with an optional concurrency (else `defaultConcurrency`).
 * Duplicates are dropped. Null when an entry is not `key` or `key=N` with N ≥ 1.
 */
export function parseApiKeys(text: string, defaultConcurrency: number): ApiKeySetting[] | null {
  const keys = new Map<string, number>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    const concurrency = match?.[2] === undefined ? defaultConcurrency : Number(match[2]);
    if (!match || !Number.isSafeInteger(concurrency) || concurrency < 1) return null;
    if (!keys.has(match[1])) keys.set(match[1], concurrency);
  }
  return [...keys].map(([key, concurrency]) => ({ key, concurrency }));
}
