import { clip } from '../../common/logging/client-text';
import { UpstreamError } from '../upstream-error';

/** `{"code":0,"msg":"","data":{"biz_code":0,"biz_msg":"","biz_data":{…}}}` (docs/protocol.md §2.1). */
interface Envelope {
  code?: unknown;
  msg?: unknown;
  data?: { biz_code?: unknown; biz_msg?: unknown; biz_data?: unknown } | null;
}

const AUTH_CODES = new Set([40001, 40002, 40003]);
const THROTTLE_TEXT = /too frequent|过于频繁|server busy|rate limit/i;
const BUSY_TEXT = /being generated/i;
/** "Your account has been temporarily disabled for too many violations": a mute whose end nobody told us. */
const SUSPENDED_TEXT = /临时停用|temporarily (?:disabled|suspended)/i;
const BANNED_TEXT = /USER_IS_BANNED/i;
const CLIENT_OUTDATED_CODE = 40005;

const UPSTREAM_TEXT_MAX = 200;
/** Upstream words go into error messages and logs: bounded, on one line. */
// eslint-disable-next-line no-control-regex -- control characters are what is replaced
const oneLine = (text: string): string => clip(text, UPSTREAM_TEXT_MAX).replace(/[\x00-\x1f\x7f]/g, ' ');
const asText = (value: unknown): string => (typeof value === 'string' ? oneLine(value) : '');

/** Turns a JSON answer into its `biz_data`, or throws the UpstreamError it stands for. */
export function readEnvelope(endpoint: string, status: number, text: string): unknown {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new UpstreamError('bad_response', `${endpoint}: the upstream sent invalid JSON`, {
      endpoint,
      status,
      upstreamMessage: text.slice(0, 200),
    });
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.code !== 'number') {
    if (status === 429) throw new UpstreamError('throttled', `${endpoint}: throttled (HTTP 429)`, { endpoint, status });
    throw new UpstreamError('bad_response', `${endpoint}: the upstream answer is not an envelope`, {
      endpoint,
      status,
      upstreamMessage: text.slice(0, 200),
    });
  }
  const code = envelope.code;
  const msg = asText(envelope.msg);
  if (code !== 0) throw errorForCode(endpoint, status, code, msg);

  const bizCode = typeof envelope.data?.biz_code === 'number' ? envelope.data.biz_code : 0;
  const bizMsg = asText(envelope.data?.biz_msg);
  const bizData = envelope.data?.biz_data;
  if (bizCode !== 0) throw errorForBizCode(endpoint, status, bizCode, bizMsg, bizData);
  if (status === 429) throw new UpstreamError('throttled', `${endpoint}: throttled (HTTP 429)`, { endpoint, status });
  // Before 2025-04 some answers put their payload straight under `data` (users/current's `data.token`).
  return bizData !== undefined ? bizData : envelope.data;
}

function errorForCode(endpoint: string, status: number, code: number, msg: string): UpstreamError {
  const details = { endpoint, status, code, upstreamMessage: msg };
  if (AUTH_CODES.has(code)) return new UpstreamError('auth', `${endpoint}: the token was rejected (${code})`, details);
  if (code === CLIENT_OUTDATED_CODE || /CLIENT_VERSION_TOO_LOW/i.test(msg)) {
    return new UpstreamError('client_outdated', `${endpoint}: DeepSeek refused our client version (${code})`, details);
  }
  if (code === 40029 || status === 429 || THROTTLE_TEXT.test(msg)) {
    return new UpstreamError('throttled', `${endpoint}: throttled (${code})`, details);
  }
  if (code >= 40300 && code < 40400) {
    return new UpstreamError('pow', `${endpoint}: proof of work refused (${code})`, details);
  }
  return new UpstreamError('bad_response', `${endpoint}: upstream error ${code}`, details);
}

function errorForBizCode(
  endpoint: string,
  status: number,
  bizCode: number,
  bizMsg: string,
  bizData: unknown,
): UpstreamError {
  const details = { endpoint, status, bizCode, upstreamMessage: bizMsg };
  if (bizCode === 10 || BANNED_TEXT.test(bizMsg)) {
    return new UpstreamError('banned', `${endpoint}: the account is banned`, details);
  }
  if (SUSPENDED_TEXT.test(bizMsg)) {
    return new UpstreamError('muted', `${endpoint}: the account is suspended`, { ...details, suspended: true });
  }
  if (bizCode === 5) {
    const until = (bizData as { mute_until?: unknown } | null)?.mute_until;
    const muteUntilMs = typeof until === 'number' ? Math.round(until * 1000) : undefined;
    return new UpstreamError('muted', `${endpoint}: the account is muted`, { ...details, muteUntilMs });
  }
  if (BUSY_TEXT.test(bizMsg)) {
    return new UpstreamError('busy', `${endpoint}: the account is already generating`, details);
  }
  if (THROTTLE_TEXT.test(bizMsg)) return new UpstreamError('throttled', `${endpoint}: throttled`, details);
  if (bizCode === 1 || bizCode === 9 || bizCode === 26) {
    return new UpstreamError('invalid_request', `${endpoint}: ${bizMsg || `refused (biz_code ${bizCode})`}`, details);
  }
  return new UpstreamError('bad_response', `${endpoint}: upstream business error ${bizCode}`, details);
}

/** An in-stream error (`hint`, `toast`, `{"type":"error"}`, §8.5) as an UpstreamError. */
export function streamError(endpoint: string, raw: string, finishReason?: string): UpstreamError {
  const message = oneLine(raw);
  const details = { endpoint, upstreamMessage: message };
  if (BANNED_TEXT.test(message)) return new UpstreamError('banned', `${endpoint}: the account is banned`, details);
  if (SUSPENDED_TEXT.test(message)) {
    return new UpstreamError('muted', `${endpoint}: the account is suspended`, { ...details, suspended: true });
  }
  if (BUSY_TEXT.test(message)) {
    return new UpstreamError('busy', `${endpoint}: the account is already generating`, details);
  }
  if (finishReason === 'rate_limit_reached' || THROTTLE_TEXT.test(message)) {
    return new UpstreamError('throttled', `${endpoint}: throttled`, details);
  }
  if (finishReason === 'input_exceeds_limit') {
    return new UpstreamError('context_length', `${endpoint}: the prompt is too long for DeepSeek`, details);
  }
  return new UpstreamError('bad_response', `${endpoint}: the upstream reported an error`, details);
}
