import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { toolsActive } from '../tools/tool-call-transform';
import type { ResponseFormat } from '../structured-output/response-format';
import { type StructuredOutputObserver, withStructuredOutput } from '../structured-output/structured-output-stage';
import { type ToolStageObserver, withToolCalls } from '../tools/tool-stage';
import type { ToolRequest } from '../tools/tool-types';
import type { ChatEvent } from './chat-event';
import type { FollowUp } from './corrective-turns';
import { foldStage } from './fold-reasoning';
import { upstreamStage, UpstreamStageOptions } from './from-upstream';
import { CitationOptions, citationStage } from './link-citations';
import { type StageFactory, stageOperator } from './stage-operator';
import { stopStage } from './stop-sequences';
import { TokenLimits, tokenLimitStage } from './token-limit';

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
 * The text-transform pipeline: upstream events → ChatEvents for the wire mappers. Each stage does one
 * thing; the stages that judge a whole reply (emulated tool calls, then `response_format` JSON) run once
 * per answer over the per-turn stages, so that a corrective turn goes through the same `stop`, limits and
 * citations. `stop` and the token limits cut the upstream's own text, so that the usage figures count what
 * was kept; a stage that is not needed is not in the pipe. Stages that follow one another run in one
 * operator (stageOperator): without a judging stage the whole pipeline is one, `watchers` (stages that
 * only look at the final events) included.
 * A `ChatPlan` is a valid `options`.
 */
export function toChatEvents(
  options: ChatEventOptions,
  hooks: AnswerHooks = {},
  watchers: readonly StageFactory<ChatEvent, ChatEvent>[] = [],
): OperatorFunction<DeepSeekEvent, ChatEvent> {
  const { tools, responseFormat } = options;
  const toolsOn = tools != null && toolsActive(tools);
  const after = options.fold ? [foldStage, ...watchers] : watchers;
  if (!toolsOn && !responseFormat) return stageOperator<DeepSeekEvent, ChatEvent>(...turnStages(options), ...after);
  const turn = stageOperator<DeepSeekEvent, ChatEvent>(...turnStages(options));
  let answer = toolsOn ? withToolCalls(tools, turn, { followUp: hooks.followUp, observer: hooks.toolObserver }) : turn;
  if (responseFormat) {
    // With tools too, the tool stage owns the corrective turn; the JSON is then only checked.
    answer = withStructuredOutput(responseFormat, answer, {
      hold: options.stream !== true,
      followUp: toolsOn ? undefined : hooks.followUp,
      observer: hooks.structuredObserver,
    });
  }
  if (after.length === 0) return answer;
  const watched = stageOperator<ChatEvent, ChatEvent>(...after);
  return (events) => events.pipe(answer, watched);
}

/** What each upstream turn goes through. */
function turnStages(options: ChatEventOptions): StageFactory<never, unknown>[] {
  const { stop, tokenLimits } = options;
  const limited = tokenLimits && (tokenLimits.answer !== null || tokenLimits.completion !== null);
  return [
    ...(stop && stop.length > 0 ? [stopStage(stop)] : []),
    ...(limited ? [tokenLimitStage(tokenLimits)] : []),
    upstreamStage(options),
    citationStage(options),
  ];
}
