import type { FinishReason } from '../events/chat-event';

/** The OpenAI response shapes we send (docs/api.md §2, §3), keys in the order we write them. */

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** One fragment of a streamed call: the first carries `id`, `type` and the name, later ones `arguments`. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function' | 'custom';
  function?: { name?: string; arguments: string };
  custom?: { name: string; input: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export type MessageToolCall =
  | { id: string; type: 'function'; function: { name: string; arguments: string } }
  | { id: string; type: 'custom'; custom: { name: string; input: string } };

export interface ChunkChoice {
  index: 0;
  delta: ChunkDelta;
  logprobs: null;
  finish_reason: FinishReason | null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  /** Present (null, then the totals) only with `stream_options.include_usage`. */
  usage?: OpenAiUsage | null;
}

export interface ChatCompletionMessage {
  role: 'assistant';
  /** Null only when the answer is tool calls without text. */
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  tool_calls?: MessageToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [{ index: 0; message: ChatCompletionMessage; logprobs: null; finish_reason: FinishReason }];
  usage?: OpenAiUsage;
}

/** What every response and chunk of one completion repeats. */
export interface CompletionIdentity {
  /** `<chat_session_id>@<response_message_id>`, the caller's `conversation_id` for the next turn. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The request's model, echoed. */
  model: string;
}
