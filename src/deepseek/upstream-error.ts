/**
 * Every upstream failure is one of these kinds (docs/protocol.md §2, §8). The message is for
 * operators; it never contains a token or a PoW header.
 */
export type UpstreamErrorKind =
  /** 40001/40002/40003: the token is dead. */
  | 'auth'
  /** biz_code 5 (until `muteUntilMs`), or the "temporarily disabled" suspension (no end given). */
  | 'muted'
  /** biz_code 10 `USER_IS_BANNED`: the account is out for good. */
  | 'banned'
  /** 40005 `CLIENT_VERSION_TOO_LOW`: the operator must raise DEEPSEEK_CLIENT_VERSION; no account's fault. */
  | 'client_outdated'
  /** "A message is being generated": the account already runs a generation. */
  | 'busy'
  /** 40029, HTTP 429, "too frequent", `rate_limit_reached`. */
  | 'throttled'
  /** HTML/WAF/non-JSON/non-SSE answers: the network path is blocked, not the token. */
  | 'blocked'
  | 'content_filter'
  /** `CONTEXT_LENGTH_EXCEEDED`, `CONTENT_TOO_LONG`, `input_exceeds_limit`: the prompt is too long. */
  | 'context_length'
  /** `CONTENT_EMPTY`: the model produced nothing (another account may do better). */
  | 'empty'
  /** The upstream refused what we asked (unknown session, bad parent message id, model type unavailable). */
  | 'invalid_request'
  /** PoW refused (403xx) or no PoW answer exists. */
  | 'pow'
  /** Anything malformed or unexpected from the upstream, including a stream cut before its end. */
  | 'bad_response'
  | 'network'
  | 'timeout';

export interface UpstreamErrorDetails {
  /** HTTP status of the upstream answer, if there was one. */
  status?: number;
  /** Envelope `code`, when not 0. */
  code?: number;
  /** Envelope `data.biz_code`, when not 0. */
  bizCode?: number;
  /** What the upstream said (envelope msg/biz_msg, hint content, first bytes of an HTML page). */
  upstreamMessage?: string;
  /** For `muted`: when the mute ends (ms since epoch). */
  muteUntilMs?: number;
  /** For `muted`: DeepSeek suspended the account ("temporarily disabled") rather than muting it. */
  suspended?: boolean;
  /** Which call failed: `users/current`, `chat_session/create`, `create_pow_challenge`, `completion`, `continue`… */
  endpoint?: string;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly details: UpstreamErrorDetails = {},
  ) {
    super(message);
  }
}

export const isUpstreamError = (error: unknown): error is UpstreamError => error instanceof UpstreamError;
