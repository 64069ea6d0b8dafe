import type { Observable, OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { toolsActive } from '../tools/tool-call-transform';
import { withToolCalls } from '../tools/tool-stage';
import type { ToolRequest } from '../tools/tool-types';
import type { ChatEvent } from './chat-event';
import { foldReasoning } from './fold-reasoning';
import { fromUpstream, UpstreamStageOptions } from './from-upstream';
import { CitationOptions, linkCitations } from './link-citations';

export interface ChatEventOptions extends UpstreamStageOptions, CitationOptions {
  fold: boolean;
  /** Emulated tool calls, when the request declares tools and `tool_choice` is not `none`. */
  tools?: ToolRequest | null;
}

/**
 * The text-transform pipeline: upstream events → ChatEvents for the wire mappers. Each stage is its
 * own operator, so a later stage (emulated tool calls) slots in between them.
 * A `ChatPlan` is a valid `options`.
 */
export function toChatEvents(options: ChatEventOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  return (events) => {
    const stages = (source: Observable<DeepSeekEvent>) => source.pipe(fromUpstream(options), linkCitations(options));
    const tools = options.tools;
    const chatEvents =
      tools != null && toolsActive(tools) ? events.pipe(withToolCalls(tools, stages)) : events.pipe(stages);
    return options.fold ? chatEvents.pipe(foldReasoning()) : chatEvents;
  };
}
