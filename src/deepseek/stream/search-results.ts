import type { SearchResult } from './deepseek-event';
import { isRecord, numberOrNull } from './json-value';

/**
 * Upstream result objects (`{url,title,snippet,cite_index,site_name,published_at}`) → SearchResult.
 * Entries without a string `url` are dropped. `positionalBase` numbers results by position when
 * they carry no `cite_index` (Format A's `[citation:N]` is 1-based by position).
 */
export function toSearchResults(raw: readonly unknown[], positionalBase?: number): SearchResult[] {
  const results: SearchResult[] = [];
  for (const item of raw) {
    if (!isRecord(item) || typeof item.url !== 'string') continue;
    const citeIndex = numberOrNull(item.cite_index);
    const result: SearchResult = {
      url: item.url,
      title: typeof item.title === 'string' ? item.title : '',
      citeIndex: citeIndex ?? (positionalBase === undefined ? null : positionalBase + results.length),
    };
    if (typeof item.snippet === 'string') result.snippet = item.snippet;
    if (typeof item.site_name === 'string') result.siteName = item.site_name;
    const publishedAt = numberOrNull(item.published_at);
    if (publishedAt !== null) result.publishedAt = publishedAt;
    results.push(result);
  }
  return results;
}

/** Formats B/C: `response.search_results`, then every fragment's `results` (TOOL_SEARCH), in order. */
export function searchResultsOf(response: Record<string, unknown>): SearchResult[] | null {
  const sources: unknown[][] = [];
  if (Array.isArray(response.search_results)) sources.push(response.search_results);
  if (Array.isArray(response.fragments)) {
    for (const fragment of response.fragments) {
      if (isRecord(fragment) && Array.isArray(fragment.results)) sources.push(fragment.results);
    }
  }
  return sources.length === 0 ? null : toSearchResults(sources.flat());
}
