/**
 * What the upstream stream parser produces: one normalized union for Formats A, B and C
 * (docs/protocol.md §7). It says nothing about OpenAI.
 */

/** `response.status` values (§7.7); unknown values pass through as strings. */
export type MessageStatus =
  | 'WIP'
  | 'FINISHED'
  | 'INCOMPLETE'
  | 'AUTO_CONTINUE'
  | 'CONTENT_FILTER'
  | 'CONTEXT_LENGTH_EXCEEDED'
  | 'CONTENT_TOO_LONG'
  | 'CANCELLED'
  | 'CONTENT_EMPTY'
  | (string & {});

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'FINISHED',
  'INCOMPLETE',
  'AUTO_CONTINUE',
  'CONTENT_FILTER',
  'CONTEXT_LENGTH_EXCEEDED',
  'CONTENT_TOO_LONG',
  'CANCELLED',
  'CONTENT_EMPTY',
]);

/** Statuses after which the same message can be resumed with `chat/continue`. */
export const CONTINUABLE_STATUSES: ReadonlySet<string> = new Set(['INCOMPLETE', 'AUTO_CONTINUE']);

export interface SearchResult {
  url: string;
  title: string;
  snippet?: string;
  /** 1-based number used by `[citation:N]` markers; null until the upstream assigns it. */
  citeIndex: number | null;
  siteName?: string;
  publishedAt?: number;
}

export type DeepSeekEvent =
  /** Message ids, from `ready` (B/C), the snapshot, or Format A's `message_id`/`parent_id`. */
  | { type: 'ids'; requestMessageId: number | null; responseMessageId: number | null; modelType?: string }
  /** New thinking text (THINK fragments, `thinking_content`, Format A `thinking`). */
  | { type: 'reasoning'; text: string }
  /** New answer text (RESPONSE fragments, `content`, Format A `text`). Whitespace kept verbatim. */
  | { type: 'content'; text: string }
  /** Canned refusal text of a content filter (TEMPLATE_RESPONSE), never mixed into `content`. */
  | { type: 'template'; text: string }
  /** The full list of search results known so far (replaces any earlier list). */
  | { type: 'search'; results: SearchResult[] }
  /** `accumulated_token_usage` (B/C) or the running sum of `chunk_token_usage` (A). */
  | { type: 'usage'; totalTokens: number }
  /** `response.status` changed (Format A: `finish_reason` → FINISHED). */
  | {
      type: 'status';
      status: MessageStatus;
      /** Set by the chat layer's `stop` stage, never by the upstream: the stop string that ended the answer. */
      stopSequence?: string;
    }
  | { type: 'title'; title: string }
  /** An in-stream error or refusal (§8.5): `hint`/`toast` errors, `{"type":"error"}`, `{"error":…}`. */
  | { type: 'error'; message: string; finishReason?: string; clearResponse?: boolean }
  /**
   * The `close` event or `data: [DONE]`: the upstream has nothing more to say in this body. `retry` when
   * its `click_behavior` is `retry` (the web page offers to resend: the message failed).
   */
  | { type: 'close'; retry?: boolean };

/** The message as the document describes it at the end of the last round. */
export interface DecodedMessage {
  format: 'A' | 'B' | 'C' | null;
  reasoning: string;
  content: string;
  status: MessageStatus | null;
  quasiStatus: MessageStatus | null;
  accumulatedTokenUsage: number | null;
  requestMessageId: number | null;
  responseMessageId: number | null;
  title: string | null;
  searchResults: SearchResult[];
}
