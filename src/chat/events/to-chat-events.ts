import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { toolsActive } from '../tools/tool-call-transform';
import type { ResponseFormat } from '../structured-output/response-format';
import { type StructuredOutputObserver, withStructuredOutput } from '../structured-output/structured-output-stage';
import { type ToolStageObserver, withToolCalls } from '../tools/tool-stage';
import type { ToolRequest } from '../tools/tool-types';
import type { ChatEvent } from './chat-event';
import type { FollowUp } from './corrective-turns';
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
  /** `response_format` JSON, or null. */
  responseFormat?: ResponseFormat | null;
  /** A stream sends the answer as it comes; otherwise stages may hold it until it is judged. */
  stream?: boolean;
}

/** What only the service can give the pipeline: corrective turns on the leased account, and an observer. */
export interface AnswerHooks {
  followUp?: FollowUp<DeepSeekEvent>;
  toolObserver?: ToolStageObserver;
  structuredObserver?: StructuredOutputObserver;
}

/**
 * The text-transform pipeline: upstream events → ChatEvents for the wire mappers. Each stage is its
 * own operator; the stages that judge a whole reply (emulated tool calls) run once per answer over
 * the per-turn stages (tool calls, then `response_format` JSON), so that a corrective turn goes through
 * the same `stop`, limits and citations.
 * `stop` and the token limits cut the upstream's own text, so that the usage figures count what was
 * kept; a stage that is not needed is not in the pipe.
 * A `ChatPlan` is a valid `options`.
 */
export function toChatEvents(
  options: ChatEventOptions,
  hooks: AnswerHooks = {},
): OperatorFunction<DeepSeekEvent, ChatEvent> {
  const turn = turnStages(options);
  const { tools, responseFormat } = options;
  const toolsOn = tools != null && toolsActive(tools);
  let answer = toolsOn ? withToolCalls(tools, turn, { followUp: hooks.followUp, observer: hooks.toolObserver }) : turn;
  if (responseFormat) {
    // With tools too, the tool stage owns the corrective turn; the JSON is then only checked.
    answer = withStructuredOutput(responseFormat, answer, {
      hold: options.stream !== true,
      followUp: toolsOn ? undefined : hooks.followUp,
      observer: hooks.structuredObserver,
    });
  }
  return options.fold ? (events) => events.pipe(answer, foldReasoning()) : answer;
}

/** What each upstream turn goes through. */
function turnStages(options: ChatEventOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  const { stop, tokenLimits } = options;
  const limited = tokenLimits && (tokenLimits.answer !== null || tokenLimits.completion !== null);
  return (events) => {
    const stopped = stop && stop.length > 0 ? events.pipe(stopSequences(stop)) : events;
    const cut = limited ? stopped.pipe(tokenLimit(tokenLimits)) : stopped;
    return cut.pipe(fromUpstream(options), linkCitations(options));
  };
}
