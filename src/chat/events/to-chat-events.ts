import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from './chat-event';
import { foldReasoning } from './fold-reasoning';
import { fromUpstream, UpstreamStageOptions } from './from-upstream';
import { CitationOptions, linkCitations } from './link-citations';

export interface ChatEventOptions extends UpstreamStageOptions, CitationOptions {
  fold: boolean;
}

/**
 * The text-transform pipeline: upstream events → ChatEvents for the wire mappers. Each stage is its
 * own operator, so a later stage (emulated tool calls) slots in between them.
 * A `ChatPlan` is a valid `options`.
 */
export function toChatEvents(options: ChatEventOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  return (events) => {
    const chatEvents = events.pipe(fromUpstream(options), linkCitations(options));
    return options.fold ? chatEvents.pipe(foldReasoning()) : chatEvents;
  };
}
