import type { SearchResult } from '../../deepseek/stream/deepseek-event';
import type { ChatUsage } from '../usage';

export type FinishReason = 'stop' | 'length' | 'content_filter';

/**
 * What the wire mappers (OpenAI chunks now, Anthropic later) consume: the upstream's events after the
 * text-transform stages. Text events never carry an empty string. `finish` is always the last event.
 */
export type ChatEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  /** The latest search results; informational (the citation stage already wrote links and sources). */
  | { type: 'sources'; results: readonly SearchResult[] }
  | { type: 'finish'; reason: FinishReason; usage: ChatUsage };
