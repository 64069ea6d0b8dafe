import type { ServerResponse } from 'node:http';
import { sendBusy, traceId } from './chat-routes';
import type { FakeContext } from './context';
import { numberParam } from './faults';
import {
  BUSY_MESSAGE,
  sendBanned,
  sendBizError,
  sendClientVersionTooLow,
  sendCodeError,
  sendInvalidToken,
  sendMuted,
  sendSseError,
  sendSuspended,
  sendWafPage,
  SUSPENDED_MESSAGE,
  type WafVariant,
} from './http-responses';
import type { FakeEndpoint, QueuedFault } from './types';

const THROTTLE_MESSAGE = 'Messages too frequent. Try again later.';

/**
 * Applies a refusal fault before the request is handled (§10.6). Returns false when the request
 * must still be handled normally (a `muted` fault on users/current only changes the account).
 */
export function answerWithFault(
  ctx: FakeContext,
  fault: QueuedFault,
  endpoint: FakeEndpoint,
  token: string | undefined,
  res: ServerResponse,
): boolean {
  const account = token === undefined ? undefined : ctx.store.accounts.get(token);
  switch (fault.fault) {
    case 'waf_html': {
      const status = fault.params.status;
      sendWafPage(res, fault.params.variant as WafVariant | undefined, typeof status === 'number' ? status : undefined);
      return true;
    }
    case 'auth_40003':
      if (account && fault.params.permanent === true) account.dead = true;
      sendInvalidToken(res);
      return true;
    case 'muted': {
      const until = Date.now() / 1000 + numberParam(fault, 'seconds', 3600);
      if (account) account.mutedUntil = until;
      if (account && endpoint === 'users_current') return false;
      sendMuted(res, until);
      return true;
    }
    case 'throttle':
      sendCodeError(res, 40029, THROTTLE_MESSAGE, fault.params.http429 === true ? 429 : 200);
      return true;
    case 'busy': {
      const form =
        fault.params.form === 'envelope' || fault.params.form === 'sse' ? fault.params.form : ctx.config.busyForm;
      if (isStreaming(endpoint)) sendBusy(res, form);
      else sendBizError(res, 1, BUSY_MESSAGE);
      return true;
    }
    case 'client_version_too_low':
      sendClientVersionTooLow(res);
      return true;
    case 'banned':
      if (account && fault.params.permanent === true) account.banned = true;
      sendBanned(res);
      return true;
    case 'suspended':
      if (isStreaming(endpoint) && fault.params.form === 'sse') sendSseError(res, traceId(), SUSPENDED_MESSAGE);
      else sendSuspended(res);
      return true;
    case 'hint_error':
    case 'disconnect':
    case 'stall':
    case 'incomplete':
    case 'content_filter':
    case 'context_length':
    case 'slow_first_byte':
    case 'model_unavailable':
    case 'content_too_long':
    case 'cancelled':
    case 'content_empty':
    case 'close_retry':
    case 'file_failed':
    case 'upload_rate_limit':
      return false;
  }
}

/** Only streaming endpoints can refuse in the SSE form; the others answer the envelope. */
function isStreaming(endpoint: FakeEndpoint): boolean {
  return endpoint === 'completion' || endpoint === 'continue';
}
