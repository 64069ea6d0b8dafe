import type { SearchResult } from '../../deepseek/stream/deepseek-event';
import type { ToolKind } from '../tools/tool-types';
import type { ChatUsage } from '../usage';

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

/**
 * What the wire mappers (OpenAI chunks now, Anthropic later) consume: the upstream's events after the
 * text-transform stages. Text events never carry an empty string. `finish` is always the last event.
 */
export type ChatEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  /**
   * A content filter's canned answer. It voids the answer text before it: a non-stream answer is the
   * template alone; a stream, which cannot take back what it sent, continues with it in a new paragraph.
   */
  | { type: 'template'; text: string }
  /** The latest search results; informational (the citation stage already wrote links and sources). */
  | { type: 'sources'; results: readonly SearchResult[] }
  /** One complete emulated tool call (docs/tool-calls.md §7); `argumentsJson` is a JSON object's text. */
  | { type: 'toolCall'; index: number; id: string; name: string; kind: ToolKind; argumentsJson: string }
  /**
   * Calls were promoted out of the end of the reasoning: the reasoning without them. A non-stream answer
   * reports this text; a stream, which already sent the reasoning, has nothing to take back.
   */
  | { type: 'reasoningReplaced'; text: string }
  /** `stopSequence`: the `stop` string that ended the answer, when one did. */
  | { type: 'finish'; reason: FinishReason; usage: ChatUsage; stopSequence?: string };
