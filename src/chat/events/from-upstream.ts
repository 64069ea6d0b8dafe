import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent, MessageStatus } from '../../deepseek/stream/deepseek-event';
import { UpstreamError } from '../../deepseek/upstream-error';
import { computeUsage, TokenEstimator } from '../usage';
import type { ChatEvent, FinishReason } from './chat-event';
import { Emit, EventStage, StageFactory, stageOperator } from './stage-operator';

export interface UpstreamStageOptions {
  /** Thinking was requested; otherwise reasoning is dropped. */
  thinking: boolean;
  /** The old server's `silent` models: the upstream still thinks, but no reasoning is shown. */
  silent: boolean;
  promptTokens: number;
}

/** The terminal status decides the finish reason; no terminal status means the answer was cut. */
export function finishReasonFor(status: MessageStatus | null): FinishReason {
  switch (status) {
    case 'FINISHED':
      return 'stop';
    case 'CONTENT_FILTER':
      return 'content_filter';
    case null:
    case 'WIP':
    case 'INCOMPLETE':
    case 'AUTO_CONTINUE':
    case 'CONTEXT_LENGTH_EXCEEDED':
      return 'length';
    default:
      return 'stop';
  }
}

/**
 * DeepSeekEvent → ChatEvent: reasoning kept only when asked for (and not silent), the content filter's
 * template, search results passed on, and a `finish` (reason + usage) when the upstream completes.
 */
class UpstreamStage implements EventStage<DeepSeekEvent, ChatEvent> {
  private status: MessageStatus | null = null;
  private stopSequence: string | undefined;
  private upstreamTotal: number | null = null;
  private readonly reasoning = new TokenEstimator();
  private readonly answer = new TokenEstimator();

  constructor(private readonly options: UpstreamStageOptions) {}

  next(event: DeepSeekEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'reasoning':
        this.reasoning.add(event.text);
        if (this.options.thinking && !this.options.silent && event.text) emit(event);
        return;
      case 'content':
      case 'template':
        this.answer.add(event.text);
        if (event.text) emit(event);
        return;
      case 'search':
        emit({ type: 'sources', results: event.results });
        return;
      case 'usage':
        this.upstreamTotal = event.totalTokens;
        return;
      case 'status':
        this.status = event.status;
        this.stopSequence = event.stopSequence;
        return;
      case 'error':
        // The client already turns these into stream errors; this only guards a raw event stream.
        throw new UpstreamError('bad_response', event.message, { upstreamMessage: event.message });
      case 'ids':
      case 'title':
      case 'close':
        return;
    }
  }

  complete(emit: Emit<ChatEvent>): void {
    const usage = computeUsage({
      upstreamTotal: this.upstreamTotal,
      promptEstimate: this.options.promptTokens,
      reasoningEstimate: this.reasoning.tokens,
      answerEstimate: this.answer.tokens,
    });
    const finish: Extract<ChatEvent, { type: 'finish' }> = {
      type: 'finish',
      reason: finishReasonFor(this.status),
      usage,
    };
    if (this.stopSequence !== undefined) finish.stopSequence = this.stopSequence;
    emit(finish);
  }
}

export function upstreamStage(options: UpstreamStageOptions): StageFactory<DeepSeekEvent, ChatEvent> {
  return () => new UpstreamStage(options);
}

export function fromUpstream(options: UpstreamStageOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  return stageOperator(upstreamStage(options));
}
