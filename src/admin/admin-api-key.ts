import type { ApiKeyView } from '../official-api/api-key-pool';

/** One official API key in the admin views: its hashed id and state, never the key. Times are ISO 8601. */
export interface AdminApiKey {
  /** The first 12 hex characters of the key's SHA-256 (`npm run account-id -- <key>`). */
  id: string;
  state: ApiKeyView['state'];
  /** When a cooldown (429) ends, or null. */
  until: string | null;
  inflight: number;
  concurrency: number;
  /** Answers started on this key since the process started. */
  requests: number;
  last_error: { kind: string; at: string } | null;
}

export function toAdminApiKey(view: ApiKeyView): AdminApiKey {
  return {
    id: view.id,
    state: view.state,
    until: view.until === null ? null : new Date(view.until).toISOString(),
    inflight: view.inflight,
    concurrency: view.concurrency,
    requests: view.requests,
    last_error: view.lastError ? { kind: view.lastError.kind, at: new Date(view.lastError.at).toISOString() } : null,
  };
}
