import type { ConversationRef } from '../conversation-id';
import type { Attachment, AttachmentLimits } from '../../attachments/attachment';
import type { ResponseFormat } from '../structured-output/response-format';
import type { ToolRequest } from '../tools/tool-types';

/**
 * A validated `POST /v1/chat/completions` body (docs/api.md §1), reduced to what we read. Produced
 * by `parseChatCompletionRequest`; unknown keys are ignored there, never rejected.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export const CHAT_ROLES: readonly ChatRole[] = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ToolCall {
  id: string | null;
  name: string;
  /** JSON text, as the client sent it. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  /** A string, the message's text parts (other parts are dropped), or null when absent. */
  content: string | TextPart[] | null;
  name: string | null;
  /** Assistant `tool_calls` (or the legacy `function_call`); empty otherwise. */
  toolCalls: ToolCall[];
  /** `tool` messages: the call this result answers. */
  toolCallId: string | null;
  /** `tool` messages: the result reports a failure (Anthropic's `is_error`); OpenAI has no such flag. */
  isError: boolean;
  /** DeepSeek extension echoed back on assistant turns; accepted, not sent upstream. */
  reasoningContent: string | null;
  /** Images and files of the message, in order (their text markers are in `content`). */
  attachments: Attachment[];
}

/** A message of `role` with `content` and nothing else (no name, calls, ids or reasoning), unless `extra` says. */
export function chatMessage(
  role: ChatRole,
  content: ChatMessage['content'],
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    role,
    content,
    name: null,
    toolCalls: [],
    toolCallId: null,
    isError: false,
    reasoningContent: null,
    attachments: [],
    ...extra,
  };
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** `stream_options.include_usage`. */
  includeUsage: boolean;
  /** `max_tokens`: a limit on the answer's tokens. */
  maxTokens: number | null;
  /** `max_completion_tokens`: a limit on reasoning and answer tokens together. */
  maxCompletionTokens: number | null;
  /** `stop`, as a list (empty when absent). */
  stop: string[];
  /** `web_search_options` was sent: search on. */
  webSearch: boolean;
  reasoningEffort: string | null;
  /** DeepSeek's `thinking: {type}` (a bare boolean is accepted too). */
  thinking: 'enabled' | 'disabled' | null;
  /** The parsed `conversation_id` (`<chat_session_id>@<message_id>`): continue that upstream session. */
  conversation: ConversationRef | null;
  /** Content part types we dropped (`image_url`, `input_audio`…, any unknown type as `other`), each once, for a log note. */
  droppedPartTypes: string[];
  /** `tools`, `tool_choice`, `parallel_tool_calls` (or legacy `functions`); null when none is declared. */
  tools: ToolRequest | null;
  /** `response_format` asking for JSON; null for text. */
  responseFormat: ResponseFormat | null;
  /** Sampling fields: applied by the official API; the web chat has no such knobs (docs/api.md §1.2). */
  sampling?: SamplingParameters;
}

/** Each null when the client did not send it. */
export interface SamplingParameters {
  temperature: number | null;
  topP: number | null;
  presencePenalty: number | null;
  frequencyPenalty: number | null;
}

/** The request-size limits; `AppConfig` satisfies it. */
export interface RequestLimits {
  maxMessages: number;
  maxPromptChars: number;
  /** `DROP_UNSUPPORTED_PARTS`: audio, video and unknown parts are dropped instead of refused. */
  dropUnsupportedParts?: boolean;
  /** Images and files; absent: none accepted (refused or dropped as unsupported). */
  attachments?: AttachmentLimits;
}
