import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
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
    const { stop, tokenLimits } = options;
    const stopped = stop && stop.length > 0 ? events.pipe(stopSequences(stop)) : events;
    const limited =
      tokenLimits && (tokenLimits.answer !== null || tokenLimits.completion !== null)
        ? stopped.pipe(tokenLimit(tokenLimits))
        : stopped;
    const chatEvents = limited.pipe(fromUpstream(options), linkCitations(options));
    return options.fold ? chatEvents.pipe(foldReasoning()) : chatEvents;
  };
}
