import type { OperatorFunction } from 'rxjs';
import { ApiError } from '../../common/errors/api-error';
import type { ChatEvent } from '../events/chat-event';
import { type FollowUp, type TurnStage, withCorrectiveTurns } from '../events/corrective-turns';
import type { Emit } from '../events/stage-operator';
import { addUsage, type ChatUsage } from '../usage';
import { JsonFenceStripper } from './json-fence-stripper';
import type { ResponseFormat } from './response-format';
import { structuredOutputCorrection } from './structured-output-prompt';
import { StructuredOutputValidator } from './structured-output-validator';

type Finish = Extract<ChatEvent, { type: 'finish' }>;

export interface StructuredOutputObserver {
  /** A reply failed the check and a corrective turn was sent. */
  correction(): void;
  /** Characters after a closing code fence were left out of the answer. */
  droppedAfterFence(chars: number): void;
}

export function invalidStructuredOutput(problem: string): ApiError {
  return new ApiError(502, `The model's answer is not the JSON response_format asks for: ${problem}.`, {
    code: 'invalid_structured_output',
    param: 'response_format',
  });
}

/**
 * `response_format` JSON (docs/api.md §7): the answer's text without a surrounding code fence, checked
 * at the end. A stream sends the JSON as it comes and can only end with an error when it does not
 * parse; a non-stream answer is held until checked, and one failure costs one corrective turn in the
 * same chat. Answers that are tool calls, cut by a limit or replaced by the content filter are not
 * checked: their finish reason already says what they are.
 */
class StructuredOutputStage implements TurnStage<ChatEvent> {
  private readonly validator: StructuredOutputValidator;
  private stripper = new JsonFenceStripper();
  private text = '';
  private held: ChatEvent[] = [];
  private unchecked = false;
  private canCorrect: boolean;
  private pendingCorrection: string | null = null;
  private earlierUsage: ChatUsage | null = null;

  constructor(
    private readonly format: ResponseFormat,
    private readonly hold: boolean,
    canCorrect: boolean,
    private readonly observer: StructuredOutputObserver | undefined,
  ) {
    this.validator = new StructuredOutputValidator(format);
    this.canCorrect = canCorrect && hold;
  }

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'content':
        return this.out({ type: 'content', text: this.stripper.push(event.text) }, emit);
      case 'toolCall':
      case 'template':
        this.unchecked = true;
        return this.out(event, emit);
      case 'finish':
        return this.onFinish(event, emit);
      default:
        return this.out(event, emit);
    }
  }

  correction(): string | null {
    return this.pendingCorrection;
  }

  beginCorrection(): void {
    this.pendingCorrection = null;
    this.canCorrect = false;
    this.stripper = new JsonFenceStripper();
    this.text = '';
    // The rejected reply's text goes; its reasoning and sources stay part of the answer.
    this.held = this.held.filter((event) => event.type !== 'content');
  }

  private onFinish(event: Finish, emit: Emit<ChatEvent>): void {
    this.out({ type: 'content', text: this.stripper.end() }, emit);
    if (this.stripper.droppedAfterFence > 0) this.observer?.droppedAfterFence(this.stripper.droppedAfterFence);
    const usage = this.earlierUsage ? addUsage(this.earlierUsage, event.usage) : event.usage;
    const check = this.unchecked || event.reason !== 'stop' ? { ok: true as const } : this.validator.check(this.text);
    if (!check.ok) {
      if (this.canCorrect) {
        this.pendingCorrection = structuredOutputCorrection(check.problem, this.format);
        this.earlierUsage = usage;
        this.observer?.correction();
        return;
      }
      throw invalidStructuredOutput(check.problem);
    }
    for (const held of this.held) emit(held);
    this.held = [];
    emit({ ...event, usage });
  }

  private out(event: ChatEvent, emit: Emit<ChatEvent>): void {
    if (event.type === 'content') {
      if (event.text === '') return;
      this.text += event.text;
    }
    if (this.hold) this.held.push(event);
    else emit(event);
  }
}

export interface StructuredOutputOptions<In> {
  /** Hold the answer until checked (non-stream); only then can a correction be sent. */
  hold: boolean;
  followUp?: FollowUp<In>;
  observer?: StructuredOutputObserver;
}

/** The structured-output stage over `stages` (the pipeline before it), run for each turn. */
export function withStructuredOutput<In>(
  format: ResponseFormat,
  stages: OperatorFunction<In, ChatEvent>,
  { hold, followUp, observer }: StructuredOutputOptions<In>,
): OperatorFunction<In, ChatEvent> {
  return withCorrectiveTurns(
    stages,
    () => new StructuredOutputStage(format, hold, followUp !== undefined, observer),
    followUp,
  );
}
