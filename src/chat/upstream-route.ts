import { ApiError } from '../common/errors/api-error';
import type { UpstreamMode } from '../config/upstream.config';
import { UpstreamError, type UpstreamErrorKind } from '../deepseek/upstream-error';
import { PoolError, type PoolRefusal } from '../tokens/pool/pool-errors';
import type { ChatPlan } from './chat-plan';

/** Which upstream serves a request: the web accounts, the official API, or web first with the API behind. */
export type UpstreamRoute = 'web' | 'api' | 'web-then-api';

/** No web account could take the request within FALLBACK_AFTER_MS. */
export class WebAccountsBusyError extends Error {
  override readonly name = 'WebAccountsBusyError';
}

/**
 * What the official API cannot do that the request asks for (web search, attachments, a web chat's
 * `conversation_id`), as the field at fault; null when the API can serve it.
 */
function apiCannotServe(plan: ChatPlan): { param: string; what: string } | null {
  if (plan.continuation) return { param: 'conversation_id', what: 'continuing a DeepSeek web chat' };
  if (plan.search) return { param: 'model', what: 'web search (a -search model or web_search_options)' };
  if (plan.attachments.length > 0) return { param: 'messages', what: 'images and files' };
  return null;
}

/**
 * `api` serves everything it can and refuses the rest with a 400 naming the field; `web-then-api` keeps on
 * the web what only the web can do (no fallback then).
 */
export function routeOf(mode: UpstreamMode, plan: ChatPlan): UpstreamRoute {
  if (mode === 'web') return 'web';
  const missing = apiCannotServe(plan);
  if (mode === 'web-then-api') return missing ? 'web' : 'web-then-api';
  if (missing) {
    throw ApiError.badRequest(
      `This server answers through the official DeepSeek API (UPSTREAM_MODE=api), which offers no ${missing.what}.`,
      missing.param,
      'unsupported_by_upstream',
    );
  }
  return 'api';
}

/** The web path's own failures that say it cannot serve now; a request's own fault (a filter, its length) is not one. */
const WEB_CANNOT_SERVE: ReadonlySet<UpstreamErrorKind> = new Set([
  'muted',
  'banned',
  'auth',
  'busy',
  'throttled',
  'blocked',
  'client_outdated',
  'network',
  'timeout',
  'pow',
  'bad_response',
  'empty',
]);
const POOL_CANNOT_SERVE: ReadonlySet<PoolRefusal> = new Set([
  'tokens_rejected',
  'accounts_banned',
  'accounts_muted',
  'accounts_busy',
  'queue_full',
  'session_account_unavailable',
  'lock_store_unavailable',
  'accounts_exhausted',
]);

/** Why a failed web start may go to the official API (for the log line and the metric), or null when it may not. */
export function fallbackReason(error: unknown): string | null {
  if (error instanceof WebAccountsBusyError) return 'accounts_busy';
  if (error instanceof PoolError) return POOL_CANNOT_SERVE.has(error.refusal) ? error.refusal : null;
  if (error instanceof UpstreamError) return WEB_CANNOT_SERVE.has(error.kind) ? `upstream_${error.kind}` : null;
  return null;
}
