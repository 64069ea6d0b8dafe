import { HttpStatus } from '@nestjs/common';
import { OpenAiError } from '../../common/errors/openai-error';
import type { AccountCondition } from './account-health.service';

/** `request`: any account of the request will do; `session`: only the account that owns the conversation. */
export type LeaseScope = 'request' | 'session';

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
 * waiting (cooldown, quota). All rejected → 401 (the client's credentials are what is wrong). Any muted →
 * 403 `account_muted`: a permission problem no client should retry quickly, with `retry-after` at the
 * first unmute. Otherwise banned ones → 403 `account_banned`.
 */
export function unusableAccountsError(
  conditions: readonly AccountCondition[],
  scope: LeaseScope,
  now = Date.now(),
): OpenAiError | undefined {
  if (conditions.some(isShortWait)) return undefined;
  const mutes = untilsOf(conditions, 'muted');
  const banned = conditions.filter((condition) => condition.kind === 'banned').length;
  const rejected = conditions.length - mutes.length - banned;
  if (mutes.length === 0 && banned === 0) {
    return OpenAiError.unauthorized(
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
    return new OpenAiError(HttpStatus.FORBIDDEN, message, { code: 'account_banned' });
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
  return new OpenAiError(HttpStatus.FORBIDDEN, message, {
    code: 'account_muted',
    retryAfterSec: secondsUntil(firstUnmute, now),
  });
}

/** 429 after waiting the whole queue timeout; `retry-after` is the first cooldown end when we know one. */
export function allBusyError(
  conditions: readonly AccountCondition[],
  scope: LeaseScope,
  waitedMs: number,
  now = Date.now(),
): OpenAiError {
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
  return OpenAiError.rateLimited(message, retryAfterSec);
}

export function queueFullError(queued: number): OpenAiError {
  return OpenAiError.rateLimited(
    `Too many requests are waiting for a DeepSeek account (${queued} queued); try again shortly.`,
    BUSY_RETRY_AFTER_SEC,
  );
}

export function sessionAccountUnavailableError(): OpenAiError {
  return OpenAiError.badRequest(
    'This conversation belongs to a DeepSeek account that is not among the tokens of this request.',
    null,
    'conversation_account_unavailable',
  );
}

export function shuttingDownError(): OpenAiError {
  return new OpenAiError(HttpStatus.SERVICE_UNAVAILABLE, 'The server is shutting down; try again.', {
    code: 'server_shutting_down',
    retryAfterSec: 1,
  });
}

export function lockStoreError(): OpenAiError {
  return new OpenAiError(HttpStatus.SERVICE_UNAVAILABLE, 'The account lock store is unavailable; try again.', {
    code: 'lock_store_unavailable',
    retryAfterSec: BUSY_RETRY_AFTER_SEC,
  });
}

/** `exclude` left nothing: say why when health explains it, else that every account was tried. */
export function exhaustedError(conditions: readonly AccountCondition[], now = Date.now()): OpenAiError {
  const unusable = unusableAccountsError(conditions, 'request', now);
  if (unusable) return unusable;
  if (conditions.some((condition) => condition.kind === 'cooling' || condition.kind === 'quota')) {
    return allBusyError(conditions, 'request', 0, now);
  }
  return new OpenAiError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'Every DeepSeek account of this request was tried and none could answer; try again shortly.',
    { code: 'accounts_exhausted', retryAfterSec: BUSY_RETRY_AFTER_SEC },
  );
}
