import type { Observable, OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { toolsActive } from '../tools/tool-call-transform';
import { withToolCalls } from '../tools/tool-stage';
import type { ToolRequest } from '../tools/tool-types';
import type { ChatEvent } from './chat-event';
import { foldReasoning } from './fold-reasoning';
import { fromUpstream, UpstreamStageOptions } from './from-upstream';
import { CitationOptions, linkCitations } from './link-citations';
import { stopSequences } from './stop-sequences';
import { TokenLimits, tokenLimit } from './token-limit';

export interface ChatEventOptions extends UpstreamStageOptions, CitationOptions {
  fold: boolean;
  /** `stop`; empty for none. */
  stop?: readonly string[];
  tokenLimits?: TokenLimits;
  /** Emulated tool calls, when the request declares tools and `tool_choice` is not `none`. */
  tools?: ToolRequest | null;
}

/**
 * The text-transform pipeline: upstream events → ChatEvents for the wire mappers. Each stage is its
 * own operator, so a later stage (emulated tool calls) slots in between them. `stop` and the token
 * limits cut the upstream's own text, so that the usage figures count what was kept; a stage that
 * is not needed is not in the pipe.
 * A `ChatPlan` is a valid `options`.
 */
export function toChatEvents(options: ChatEventOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  return (events) => {
    const { stop, tokenLimits, tools } = options;
    const stopped = stop && stop.length > 0 ? events.pipe(stopSequences(stop)) : events;
    const limited =
      tokenLimits && (tokenLimits.answer !== null || tokenLimits.completion !== null)
        ? stopped.pipe(tokenLimit(tokenLimits))
        : stopped;
    const stages = (source: Observable<DeepSeekEvent>) => source.pipe(fromUpstream(options), linkCitations(options));
    const chatEvents =
      tools != null && toolsActive(tools) ? limited.pipe(withToolCalls(tools, stages)) : limited.pipe(stages);
    return options.fold ? chatEvents.pipe(foldReasoning()) : chatEvents;
  };
}
