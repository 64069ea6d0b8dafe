import type { AccountCondition } from './account-health.service';

/** `request`: any account of the request will do; `session`: only the account that owns the conversation. */
export type LeaseScope = 'request' | 'session';

/** Why the pool cannot lease an account; `toApiError` gives each its status and code. */
export type PoolRefusal =
  | 'tokens_rejected'
  | 'accounts_banned'
  | 'accounts_muted'
  | 'accounts_busy'
  | 'queue_full'
  | 'session_account_unavailable'
  | 'shutting_down'
  | 'lock_store_unavailable'
  | 'accounts_exhausted';

/** The pool's refusal, with a message in the client's terms and when trying again makes sense. */
export class PoolError extends Error {
  override readonly name = 'PoolError';

  constructor(
    readonly refusal: PoolRefusal,
    message: string,
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/** When every account is held by running generations we cannot know when one ends; a few seconds is typical. */
export const BUSY_RETRY_AFTER_SEC = 5;

const secondsUntil = (time: number, now: number): number => Math.max(1, Math.ceil((time - now) / 1000));
const iso = (time: number): string => new Date(time).toISOString();
const untilsOf = (conditions: readonly AccountCondition[], kind: AccountCondition['kind']): number[] =>
  conditions.flatMap((condition) => (condition.kind === kind && 'until' in condition ? [condition.until] : []));

/** Conditions that end soon on their own: the request waits for them. */
const isShortWait = (condition: AccountCondition): boolean =>
  condition.kind === 'ready' || condition.kind === 'cooling' || condition.kind === 'quota';

/**
 * Why none of the accounts can serve the request any time soon, or undefined when one is ready or only
 * waiting (cooldown, quota). All rejected → `tokens_rejected` (a 401: the client's credentials are what is
 * wrong). Any muted → `accounts_muted` (a 403 no client should retry quickly), retrying at the first unmute.
 * Otherwise banned ones → `accounts_banned`.
 */
export function unusableAccountsError(
  conditions: readonly AccountCondition[],
  scope: LeaseScope,
  now = Date.now(),
): PoolError | undefined {
  if (conditions.some(isShortWait)) return undefined;
  const mutes = untilsOf(conditions, 'muted');
  const banned = conditions.filter((condition) => condition.kind === 'banned').length;
  const rejected = conditions.length - mutes.length - banned;
  if (mutes.length === 0 && banned === 0) {
    return new PoolError(
      'tokens_rejected',
      scope === 'session'
        ? 'The DeepSeek token of the account that owns this conversation was rejected by DeepSeek.'
        : 'Every DeepSeek token of this request was rejected by DeepSeek.',
    );
  }
  if (mutes.length === 0) {
    const message =
      scope === 'session'
        ? 'The DeepSeek account that owns this conversation is banned by DeepSeek.'
        : rejected === 0
          ? 'Every DeepSeek account of this request is banned by DeepSeek.'
          : `No DeepSeek account of this request can answer: ${banned} banned, ${rejected} rejected by DeepSeek.`;
    return new PoolError('accounts_banned', message);
  }
  const firstUnmute = Math.min(...mutes);
  const others = [banned > 0 ? `${banned} banned` : '', rejected > 0 ? `${rejected} rejected by DeepSeek` : '']
    .filter(Boolean)
    .join(', ');
  const message =
    scope === 'session'
      ? `The DeepSeek account that owns this conversation is muted until ${iso(firstUnmute)}.`
      : others === ''
        ? `Every DeepSeek account of this request is muted; the first mute ends at ${iso(firstUnmute)}.`
        : `No DeepSeek account of this request can answer: ${mutes.length} muted (the first until ${iso(firstUnmute)}), ${others}.`;
  return new PoolError('accounts_muted', message, secondsUntil(firstUnmute, now));
}

/** After waiting the whole queue timeout; retry at the first cooldown end when we know one. */
export function allBusyError(
  conditions: readonly AccountCondition[],
  scope: LeaseScope,
  waitedMs: number,
  now = Date.now(),
): PoolError {
  const coolEnds = [...untilsOf(conditions, 'cooling'), ...untilsOf(conditions, 'quota')];
  const firstCoolEnd = coolEnds.length > 0 ? secondsUntil(Math.min(...coolEnds), now) : undefined;
  const retryAfterSec =
    firstCoolEnd === undefined
      ? BUSY_RETRY_AFTER_SEC
      : coolEnds.length === conditions.length
        ? firstCoolEnd
        : Math.min(firstCoolEnd, BUSY_RETRY_AFTER_SEC);
  const waited = `waited ${Math.round(waitedMs / 1000)} s`;
  const busy = conditions.some((condition) => condition.kind === 'quota') ? "busy or at the operator's quota" : 'busy';
  const message =
    scope === 'session'
      ? `The DeepSeek account that owns this conversation is ${busy} (${waited}); try again later.`
      : `All ${conditions.length} DeepSeek account(s) of this request are ${busy} (${waited}); try again later.`;
  return new PoolError('accounts_busy', message, retryAfterSec);
}

export function queueFullError(queued: number): PoolError {
  return new PoolError(
    'queue_full',
    `Too many requests are waiting for a DeepSeek account (${queued} queued); try again shortly.`,
    BUSY_RETRY_AFTER_SEC,
  );
}

export function sessionAccountUnavailableError(): PoolError {
  return new PoolError(
    'session_account_unavailable',
    'This conversation belongs to a DeepSeek account that is not among the tokens of this request.',
  );
}

export function shuttingDownError(): PoolError {
  return new PoolError('shutting_down', 'The server is shutting down; try again.', 1);
}

export function lockStoreError(): PoolError {
  return new PoolError(
    'lock_store_unavailable',
    'The account lock store is unavailable; try again.',
    BUSY_RETRY_AFTER_SEC,
  );
}

/** `exclude` left nothing: say why when health explains it, else that every account was tried. */
export function exhaustedError(conditions: readonly AccountCondition[], now = Date.now()): PoolError {
  const unusable = unusableAccountsError(conditions, 'request', now);
  if (unusable) return unusable;
  if (conditions.some((condition) => condition.kind === 'cooling' || condition.kind === 'quota')) {
    return allBusyError(conditions, 'request', 0, now);
  }
  return new PoolError(
    'accounts_exhausted',
    'Every DeepSeek account of this request was tried and none could answer; try again shortly.',
    BUSY_RETRY_AFTER_SEC,
  );
}
