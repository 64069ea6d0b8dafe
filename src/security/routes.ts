/** The paths the HTTP edge treats specially, in one place (express matches them case-insensitively). */

/** Every route under it resolves accounts (AccountsGuard): its credential is checked before the body is read. */
export const CHAT_PATH_PREFIX = '/v1/chat';
export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';
/** The OpenAI Responses API; its credential is checked before the body is read, as under CHAT_PATH_PREFIX. */
export const RESPONSES_PATH = '/v1/responses';
export const TOKEN_CHECK_PATH = '/token/check';
/** Anthropic Messages, at the root and under `/anthropic` (Anthropic clients add `/v1/messages` to their base URL). */
export const ANTHROPIC_PATH_PREFIXES: readonly string[] = ['/v1/messages', '/anthropic'];
export const ANTHROPIC_MESSAGES_PATHS: readonly string[] = ['/v1/messages', '/anthropic/v1/messages'];
export const ANTHROPIC_COUNT_TOKENS_PATHS: readonly string[] = ANTHROPIC_MESSAGES_PATHS.map(
  (path) => `${path}/count_tokens`,
);
/** The OpenAI-compatible API: what CORS opens to browsers. */
export const OPENAI_API_PREFIX = '/v1';
/** Liveness and readiness probes: no Host check (a container's health check calls 127.0.0.1). */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/ping', '/healthz', '/readyz']);

/** A request path as express routes it: case-insensitive, one trailing slash ignored. */
export function routeKey(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
