import type { ModelAvailability } from '../deepseek/deepseek.client';
import type { PoolAccountView } from '../tokens/pool/token-pool.service';

/** One account in `GET /admin/accounts`. Times are ISO 8601. */
export interface AdminAccount {
  /** The first 12 hex characters of the token's SHA-256 (`npm run account-id -- <token>`). */
  id: string;
  state: PoolAccountView['state'];
  /** When the state ends (muted, cooling, quota), or null. */
  until: string | null;
  /** DeepSeek suspended the account ("temporarily disabled") rather than muting it. */
  suspended: boolean;
  inflight: number;
  generations_last_hour: number;
  last_error: { kind: string; at: string } | null;
  /** Model types DeepSeek offers this account (`default`, `expert`, `vision`), or null while unknown. */
  models: ModelAvailability | null;
}

const isoOrNull = (time: number | undefined): string | null =>
  time !== undefined && Number.isFinite(time) ? new Date(time).toISOString() : null;

export function toAdminAccount(view: PoolAccountView, models: ModelAvailability | null): AdminAccount {
  const { condition } = view;
  return {
    id: view.id,
    state: view.state,
    until: isoOrNull('until' in condition ? condition.until : undefined),
    suspended: view.suspended,
    inflight: view.inflight,
    generations_last_hour: view.generationsLastHour,
    last_error: view.lastError ? { kind: view.lastError.kind, at: new Date(view.lastError.at).toISOString() } : null,
    models,
  };
}
