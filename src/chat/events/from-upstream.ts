import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent, MessageStatus } from '../../deepseek/stream/deepseek-event';
import { UpstreamError } from '../../deepseek/upstream-error';
import { computeUsage, TokenEstimator } from '../usage';
import type { ChatEvent, FinishReason } from './chat-event';
import { Emit, EventStage, stageOperator } from './stage-operator';

export interface UpstreamStageOptions {
  /** Thinking was requested; otherwise reasoning is dropped. */
  thinking: boolean;
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
 * DeepSeekEvent → ChatEvent: reasoning kept only when asked for, content-filter text as content,
 * search results passed on, and a `finish` (reason + usage) when the upstream completes.
 */
class UpstreamStage implements EventStage<DeepSeekEvent, ChatEvent> {
  private status: MessageStatus | null = null;
  private upstreamTotal: number | null = null;
  private readonly reasoning = new TokenEstimator();
  private readonly answer = new TokenEstimator();
  private contentEmitted = false;
  private templateStarted = false;

  constructor(private readonly options: UpstreamStageOptions) {}

  next(event: DeepSeekEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'reasoning':
        this.reasoning.add(event.text);
        if (this.options.thinking && event.text) emit(event);
        return;
      case 'content':
        this.answer.add(event.text);
        if (event.text) this.emitContent(event, emit);
        return;
      case 'template':
        this.emitTemplate(event.text, emit);
        return;
      case 'search':
        emit({ type: 'sources', results: event.results });
        return;
      case 'usage':
        this.upstreamTotal = event.totalTokens;
        return;
      case 'status':
        this.status = event.status;
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
    emit({ type: 'finish', reason: finishReasonFor(this.status), usage });
  }

  private emitContent(event: Extract<ChatEvent, { type: 'content' }>, emit: Emit<ChatEvent>): void {
    this.contentEmitted = true;
    emit(event);
  }

  /** The filter's canned answer follows whatever was already streamed, which cannot be retracted. */
  private emitTemplate(template: string, emit: Emit<ChatEvent>): void {
    const text = !this.templateStarted && this.contentEmitted ? `\n\n${template}` : template;
    this.templateStarted = true;
    this.answer.add(text);
    if (text) this.emitContent({ type: 'content', text }, emit);
  }
}

export function fromUpstream(options: UpstreamStageOptions): OperatorFunction<DeepSeekEvent, ChatEvent> {
  return stageOperator(() => new UpstreamStage(options));
}
