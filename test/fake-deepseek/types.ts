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
  /** The files of `ref_file_ids` (all the caller's, all SUCCESS), in the order sent. */
  files: readonly ReplyFile[];
  body: Record<string, unknown>;
}

export interface ReplyFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  isImage: boolean;
}

/** In-process only: picks the reply of one completion; undefined fields fall back to the config. */
export type ReplyHook = (request: ReplyRequest) => Partial<Reply> | undefined;

export interface AccountOptions {
  /** Unix seconds, as the wire carries it. */
  mutedUntil?: number | null;
  format?: StreamFormat;
}

export type FileStatus = 'PENDING' | 'PARSING' | 'SUCCESS' | 'FAILED';
export type FileOutcome = 'SUCCESS' | 'FAILED';
export type ModelKind = 'NORMAL' | 'VISION';

/** How uploaded files behave (`files` in the config; a patch merges into the current value). */
export interface FileConfig {
  /**
   * Poll rule: the n-th fetch_files that lists a file shows it `PENDING` while n < pollsToParsing,
   * `PARSING` while n < pollsToDone, then the outcome. The upload reply is poll 0 (`PENDING`).
   */
  pollsToParsing: number;
  pollsToDone: number;
  /** Time rule instead of pollsToDone: the outcome once this many ms have passed since the upload. */
  parseDelayMs: number | null;
  /** The upload reply already carries the outcome (SUCCESS with a token_usage, or FAILED), as the real one sometimes does. */
  immediate: boolean;
  outcome: FileOutcome;
  /** `error_code` of a FAILED file. */
  errorCode: string;
  /** Larger files (bytes of the `file` part) are refused with biz_code 9 `file too large`. */
  maxBytes: number;
  /** File name extensions (lower case, no dot) refused with biz_code 9 `unsupported file type`. */
  unsupportedExtensions: string[];
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
  files: FileConfig;
}

export interface FakeConfigPatch extends Partial<Omit<FakeConfig, 'reply' | 'files'>> {
  /** Merged into the current reply. */
  reply?: Partial<Reply>;
  /** Merged into the current file behaviour. */
  files?: Partial<FileConfig>;
  /** Adds or updates accounts; `null` as a value removes one. */
  accounts?: AccountsOption;
  replyFor?: ReplyHook | null;
}

export interface FakeOptions extends Partial<Omit<FakeConfig, 'reply' | 'files'>> {
  /** Merged into the default reply. */
  reply?: Partial<Reply>;
  /** Merged into the default file behaviour. */
  files?: Partial<FileConfig>;
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
  | 'upload_file'
  | 'fetch_files'
  | 'fork_file_task'
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
  /** Upload: the next uploaded file ends FAILED with this `error_code` (default: `files.errorCode`). */
  file_failed: { error_code?: string };
  /** Upload: refused as throttled, `biz_code 7 rate limit reached` (form `code`: top-level `code 7`). */
  upload_rate_limit: { form?: 'biz' | 'code' };
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
  /** The body's `ref_file_ids` (checked: the caller's own SUCCESS files). */
  refFileIds: string[];
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

export interface FileView {
  id: string;
  account: string;
  fileName: string;
  /** Bytes of the `file` part. */
  size: number;
  /** Hex SHA-256 of the bytes received. */
  sha256: string;
  /** From the part headers (`application/octet-stream` when absent). */
  contentType: string;
  isImage: boolean;
  modelKind: ModelKind;
  status: FileStatus;
  /** fetch_files requests that listed it. */
  polls: number;
  tokenUsage: number | null;
  errorCode: string | null;
  /** The file a fork_file_task copied, or null. */
  forkedFrom: string | null;
  /** Unix seconds, as on the wire. */
  insertedAt: number;
  updatedAt: number;
}

export interface FakeState {
  requests: Partial<Record<FakeEndpoint, number>>;
  /** Headers of the last request per endpoint, lower-case names, secrets redacted. */
  lastHeaders: Partial<Record<FakeEndpoint, Record<string, string>>>;
  accounts: Record<string, AccountView>;
  sessions: Record<string, SessionView>;
  /** Uploaded and forked files by id. */
  files: Record<string, FileView>;
  aborts: AbortRecord[];
  faults: { queued: QueuedFault[]; consumed: ConsumedFault[] };
  pow: { issued: number; verified: number; rejected: PowRejection[] };
  inFlight: number;
  maxInFlight: number;
  openStreams: number;
}
