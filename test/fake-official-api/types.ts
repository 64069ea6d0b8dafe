/** One tool call of a scripted or default answer; `arguments` is the JSON text sent on the wire. */
export interface ToolCallReply {
  name: string;
  arguments: string;
}

/** What the fake answers. Only `reasoning` falls back to the default one when a thinking model gets none. */
export interface ScriptedReply {
  content?: string;
  reasoning?: string;
  toolCalls?: ToolCallReply[];
}

/** A chat request as the fake saw it (validated), handed to `replyFor`. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  thinking: boolean;
  body: Record<string, unknown>;
  /** The key's id (as in the requests log), never the key. */
  keyId: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: unknown;
  reasoning_content?: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

export type ReplyHook = (request: ChatRequest) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;

export interface FakeOfficialConfig {
  /** Ids listed by `GET /models` and accepted by chat requests. */
  models: string[];
  /** Pause between two streamed pieces (and their sum before a non-stream body). */
  tokenDelayMs: number;
  /** How long a chat request waits "busy" before its answer starts. */
  queueDelayMs: number;
  /** Interval of `: keep-alive` comments (stream) or empty lines (non-stream) while busy. */
  keepAliveMs: number;
  /** When > 0, the default answer is exactly this many pieces long (benchmarks). */
  answerPieces: number;
  replyFor: ReplyHook | null;
}

export interface FakeOfficialOptions extends Partial<FakeOfficialConfig> {
  port?: number;
  host?: string;
  /** Accepted API keys; any other gets 401. Absent: any non-empty key is accepted. */
  keys?: string[];
  /** Balance per key (CNY); a key at 0 or below gets 402. Keys not listed have `defaultBalance`. */
  balance?: Record<string, number>;
  defaultBalance?: number;
}

export type FaultStatus = 400 | 401 | 402 | 422 | 429 | 500 | 503;

export interface FaultSpec {
  status: FaultStatus;
  /** Only requests with this key (default: any key). */
  key?: string;
  /** How many requests it hits (default 1). */
  times?: number;
  /** 429 only: the `retry-after` header, in seconds (default 1). */
  retryAfterSec?: number;
  message?: string;
  /** Cut a stream (destroy the socket) after `afterChunks` data chunks instead of answering an error. */
  midStream?: boolean;
  afterChunks?: number;
}

export interface QueuedFault extends FaultSpec {
  id: number;
  remaining: number;
}

export interface KeyStats {
  /** Short id used in the requests log. */
  id: string;
  requests: number;
  inFlight: number;
  maxInFlight: number;
  completed: number;
  aborted: number;
  /** Streams the fake cut on purpose (midStream faults). */
  cut: number;
  balance: number;
}

export interface FakeOfficialState {
  keys: Record<string, KeyStats>;
  faults: QueuedFault[];
  requestCount: number;
}

export interface RecordedRequest {
  /** Index-based id (`key0`, `key1`...) of a configured key, else `key-<8 hex of sha256>`; null without a key. */
  keyId: string | null;
  method: string;
  path: string;
  /** Parsed JSON body, the raw text when it is not JSON, undefined without a body. */
  body: unknown;
  at: number;
}
