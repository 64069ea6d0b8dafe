import type { OperatorFunction } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { TokenEstimator } from '../usage';
import { Emit, End, EventStage, StageFactory, stageOperator } from './stage-operator';

/** The request's limits, counted with the usage estimate (usage.ts). */
export interface TokenLimits {
  /** `max_tokens`: the answer alone. */
  answer: number | null;
  /** `max_completion_tokens`: reasoning and answer together, as OpenAI counts it. */
  completion: number | null;
}

/**
 * `max_tokens` / `max_completion_tokens` (docs/api.md §1.2): at the first character that would take the
 * estimate over a limit, the text is cut, the message ends as INCOMPLETE (`finish_reason: "length"`) and the upstream generation is
 * stopped. Reasoning counts whether or not it is shown, as it does in the usage figures.
 */
class TokenLimitStage implements EventStage<DeepSeekEvent, DeepSeekEvent> {
  private readonly reasoning = new TokenEstimator();
  private readonly answer = new TokenEstimator();

  constructor(private readonly limits: TokenLimits) {}

  next(event: DeepSeekEvent, emit: Emit<DeepSeekEvent>, end: End): void {
    switch (event.type) {
      case 'reasoning':
        this.take(event, this.reasoning, this.completionBudget(this.answer), emit, end);
        return;
      case 'content': {
        const { answer } = this.limits;
        const completion = this.completionBudget(this.reasoning);
        this.take(event, this.answer, answer === null ? completion : Math.min(answer, completion), emit, end);
        return;
      }
      default:
        emit(event);
    }
  }

  complete(): void {}

  /** What `max_completion_tokens` leaves for one kind of text once the other has been counted. */
  private completionBudget(other: TokenEstimator): number {
    return this.limits.completion === null ? Number.POSITIVE_INFINITY : this.limits.completion - other.tokens;
  }

  private take(
    event: Extract<DeepSeekEvent, { type: 'reasoning' | 'content' }>,
    estimator: TokenEstimator,
    budget: number,
    emit: Emit<DeepSeekEvent>,
    end: End,
  ): void {
    if (budget === Number.POSITIVE_INFINITY) {
      emit(event);
      return;
    }
    const kept = estimator.addWithin(event.text, budget);
    if (kept > 0) emit(kept === event.text.length ? event : { type: event.type, text: event.text.slice(0, kept) });
    // An answer exactly at the limit may still finish on its own: it is cut only when more text comes.
    // That keeps the cut independent of how the text was split (spaces and the end of a word may cost nothing).
    if (kept < event.text.length) {
      emit({ type: 'status', status: 'INCOMPLETE' });
      end();
    }
  }
}

export function tokenLimitStage(limits: TokenLimits): StageFactory<DeepSeekEvent, DeepSeekEvent> {
  return () => new TokenLimitStage(limits);
}

export function tokenLimit(limits: TokenLimits): OperatorFunction<DeepSeekEvent, DeepSeekEvent> {
  return stageOperator(tokenLimitStage(limits));
}
