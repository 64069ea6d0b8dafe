/** Public types of the fake DeepSeek upstream (docs/protocol.md §10). */

export type StreamFormat = 'A' | 'B' | 'C';
export type SessionShape = 'flat' | 'nested';
export type BusyForm = 'sse' | 'envelope';

export interface SearchResult {
  url: string;
  title: string;
  snippet: string;
  site_name?: string;
  published_at?: number;
}

export interface Reply {
  reasoning: string;
  content: string;
}

/** What a reply hook sees of a completion request. */
export interface ReplyRequest {
  account: string;
  sessionId: string;
  prompt: string;
  parentMessageId: number | null;
  /** The exchanges this one follows in its chat (the parent chain), oldest first: what the model sees too. */
  history: readonly { prompt: string; content: string }[];
  thinkingEnabled: boolean;
  searchEnabled: boolean;
  modelType: string;
  body: Record<string, unknown>;
}

/** In-process only: picks the reply of one completion; undefined fields fall back to the config. */
export type ReplyHook = (request: ReplyRequest) => Partial<Reply> | undefined;

export interface AccountOptions {
  /** Unix seconds, as the wire carries it. */
  mutedUntil?: number | null;
  format?: StreamFormat;
}

export type AccountsOption = string[] | Record<string, AccountOptions | null>;

export interface FakeConfig {
  format: StreamFormat;
  powDifficulty: number;
  powExpireMs: number;
  verifyPow: boolean;
  strictContinuePow: boolean;
  sessionShape: SessionShape;
  /** Also put the token at `data.token` in users/current, as before 2025-04-08. */
  legacyTokenField: boolean;
  busyForm: BusyForm;
  /** Benchmarks only: let an account run several generations at once instead of refusing as busy. */
  allowConcurrentGenerations: boolean;
  firstByteDelayMs: number;
  /** Delay before every frame that carries a token. */
  tokenDelayMs: number;
  /** 0 = the deterministic 1–4 character tokeniser; N = fixed frames of N characters. */
  charsPerFrame: number;
  heartbeatIntervalMs: number;
  /**
   * After a terminal status, wait this long before `update_session`/`title`/`close` (Format A: before
   * ending after `[DONE]`), with the account still generating: the upstream names the session first.
   */
  titleDelayMs: number;
  keepGeneratingAfterDisconnect: boolean;
  reply: Reply;
  /** Answer with the prompt itself as content. */
  echo: boolean;
  /** Used when a request has search_enabled; empty = search never triggers. */
  searchResults: SearchResult[];
  /** Format C: append a TIP fragment after the answer. */
  emitTip: boolean;
  /** Send `event: finish` (absent in the 2026-04-29 captures). */
  emitFinish: boolean;
  /**
   * Model types refused with biz_code 1 on completion (besides anything other than default, expert
   * and vision) and reported `enabled: false` by client/settings.
   */
  unavailableModels: string[];
  /** Refuse create_pow_challenge and completion with 40005 below this `x-client-version` (null = any). */
  minClientVersion: string | null;
  /** Capture id whose bytes answer the next completion (consumed by it). */
  replay: string | null;
  capturesDir: string;
}

export interface FakeConfigPatch extends Partial<Omit<FakeConfig, 'reply'>> {
  /** Merged into the current reply. */
  reply?: Partial<Reply>;
  /** Adds or updates accounts; `null` as a value removes one. */
  accounts?: AccountsOption;
  replyFor?: ReplyHook | null;
}

export interface FakeOptions extends Partial<Omit<FakeConfig, 'reply'>> {
  /** Merged into the default reply. */
  reply?: Partial<Reply>;
  accounts?: AccountsOption;
  replyFor?: ReplyHook;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export type FakeEndpoint =
  | 'users_current'
  | 'chat_session_create'
  | 'create_pow_challenge'
  | 'completion'
  | 'continue'
  | 'stop_stream'
  | 'chat_session_delete'
  | 'chat_session_delete_all'
  | 'client_settings'
  | 'not_found';

export interface FaultParams {
  waf_html: { variant?: 'cloudflare' | 'cloudwaf' | 'aws'; status?: number };
  auth_40003: { permanent?: boolean };
  muted: { seconds?: number };
  throttle: { http429?: boolean };
  busy: { form?: BusyForm };
  hint_error: { afterTokens?: number; message?: string; finish_reason?: string };
  disconnect: { afterTokens?: number };
  stall: { afterTokens?: number; ms?: number };
  incomplete: { afterTokens?: number; unsentChars?: number };
  content_filter: { afterTokens?: number; template?: string; shape?: 'template' | 'short' };
  context_length: Record<string, never>;
  slow_first_byte: { ms?: number };
  model_unavailable: Record<string, never>;
  client_version_too_low: Record<string, never>;
  banned: { permanent?: boolean };
  suspended: { form?: BusyForm };
  content_too_long: { afterTokens?: number };
  cancelled: { afterTokens?: number };
  content_empty: { afterTokens?: number };
  close_retry: { afterTokens?: number };
}

export type FaultName = keyof FaultParams;

export type FaultSpec = {
  [K in FaultName]: {
    fault: K;
    /** A token, or '*' (default) for every account. */
    account?: string;
    endpoint?: FakeEndpoint | '*';
    /** How many requests it applies to (default 1). */
    times?: number;
    params?: FaultParams[K];
  };
}[FaultName];

export interface QueuedFault {
  id: number;
  fault: FaultName;
  account: string;
  endpoint: FakeEndpoint | '*';
  times: number;
  remaining: number;
  params: Record<string, unknown>;
}

export interface ConsumedFault {
  id: number;
  fault: FaultName;
  account: string;
  endpoint: FakeEndpoint;
  at: number;
}

export type MessageStatus =
  | 'WIP'
  | 'FINISHED'
  | 'INCOMPLETE'
  | 'CONTENT_FILTER'
  | 'CONTEXT_LENGTH_EXCEEDED'
  | 'CONTENT_TOO_LONG'
  | 'CANCELLED'
  | 'CONTENT_EMPTY'
  /** Ended without a terminal status: hint error, disconnect, stall, close_retry. */
  | 'ERROR';

export interface MessageView {
  requestMessageId: number;
  responseMessageId: number;
  parentMessageId: number | null;
  prompt: string;
  /** The type the message ran with (`model_type: null` means the session's previous type, or default). */
  modelType: string;
  /** The body's `model_type` as sent; null when it was null or absent. */
  modelTypeSent: string | null;
  source: string | null;
  preempt: boolean | null;
  /** The body had an `action` key (the 2026 web client sends `action: null`). */
  actionSent: boolean;
  thinkingEnabled: boolean;
  searchEnabled: boolean;
  format: StreamFormat;
  /** The text the message holds now: what was streamed (or would have been, after a disconnect). */
  reasoning: string;
  content: string;
  /** Terminal as soon as the terminal status is written (before any title wait). */
  status: MessageStatus;
  accumulatedTokenUsage: number;
  rounds: number;
  replay: string | null;
  startedAt: number;
  /** When the round released the account (after the title wait); null while generating. */
  endedAt: number | null;
}

export interface SessionView {
  id: string;
  account: string;
  deleted: boolean;
  createdAt: number;
  messages: MessageView[];
}

export interface AccountView {
  dead: boolean;
  /** Set by a permanent `banned` fault: every request with the token answers biz_code 10. */
  banned: boolean;
  mutedUntil: number | null;
  format: StreamFormat | null;
  inFlight: number;
  maxInFlight: number;
  generations: number;
  busyRefusals: number;
}

export interface AbortRecord {
  account: string;
  endpoint: 'completion' | 'continue';
  sessionId: string;
  messageId: number;
  at: number;
  tokensWritten: number;
}

export interface PowRejection {
  endpoint: FakeEndpoint;
  account: string;
  reason: string;
  at: number;
}

export interface FakeState {
  requests: Partial<Record<FakeEndpoint, number>>;
  /** Headers of the last request per endpoint, lower-case names, secrets redacted. */
  lastHeaders: Partial<Record<FakeEndpoint, Record<string, string>>>;
  accounts: Record<string, AccountView>;
  sessions: Record<string, SessionView>;
  aborts: AbortRecord[];
  faults: { queued: QueuedFault[]; consumed: ConsumedFault[] };
  pow: { issued: number; verified: number; rejected: PowRejection[] };
  inFlight: number;
  maxInFlight: number;
  openStreams: number;
}
