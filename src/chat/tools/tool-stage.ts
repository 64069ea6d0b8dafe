import type { OperatorFunction } from 'rxjs';
import { ApiError } from '../../common/errors/api-error';
import type { ChatEvent, FinishReason } from '../events/chat-event';
import { type FollowUp, type TurnStage, withCorrectiveTurns } from '../events/corrective-turns';
import type { Emit } from '../events/stage-operator';
import { addUsage, type ChatUsage } from '../usage';
import { ToolCallTransform } from './tool-call-transform';
import type { RepromptReason, ToolFinish, ToolKind, ToolNoticeKind, ToolRequest, ToolStageOutput } from './tool-types';

type Finish = Extract<ChatEvent, { type: 'finish' }>;

/** What the tool stage reports besides the answer: for logs and metrics (kinds only, never client text). */
export interface ToolStageObserver {
  call(kind: ToolKind): void;
  notice(kind: ToolNoticeKind): void;
  correction(reason: RepromptReason): void;
}

/**
 * ChatEvents through `ToolCallTransform` (docs/tool-calls.md §7): content deltas become text and calls,
 * reasoning passes (and is kept for promotion at the end), and the finish takes the transform's reason.
 * When the transform asks for a re-prompt, the turn ends and its finish is held; the corrective turn's
 * reply is read by the same transform, and the answer's usage is that of both turns.
 */
class ToolCallStage implements TurnStage<ChatEvent> {
  private readonly transform: ToolCallTransform;
  /** All reasoning shown so far, and this turn's part of it (promotion looks at the turn's end). */
  private reasoningBefore = '';
  private turnReasoning = '';
  private stopRequested = false;
  private stopped = false;
  private finish: ToolFinish | null = null;
  private pendingCorrection: string | null = null;
  private earlierUsage: ChatUsage | null = null;
  private emitChat: Emit<ChatEvent> = () => undefined;

  constructor(
    tools: ToolRequest,
    private readonly stopTurn: () => void,
    canCorrect: boolean,
    private readonly observer: ToolStageObserver | undefined,
  ) {
    this.transform = new ToolCallTransform(tools, { repromptAvailable: canCorrect });
  }

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    this.emitChat = emit;
    switch (event.type) {
      case 'content':
        this.transform.pushContent(event.text, this.onOutput);
        // After the transform returns, so that it never sees its own upstream end mid-call.
        if (this.stopRequested && !this.stopped) {
          this.stopped = true;
          this.stopTurn();
        }
        return;
      case 'reasoning':
        this.turnReasoning += event.text;
        emit(event);
        return;
      case 'finish':
        return this.onFinish(event, emit);
      default:
        emit(event);
    }
  }

  correction(): string | null {
    return this.pendingCorrection;
  }

  beginCorrection(): void {
    this.pendingCorrection = null;
    this.reasoningBefore += this.turnReasoning;
    this.turnReasoning = '';
    this.stopRequested = false;
    this.stopped = false;
    this.transform.beginRepromptRound();
  }

  private onFinish(event: Finish, emit: Emit<ChatEvent>): void {
    const usage = this.earlierUsage ? addUsage(this.earlierUsage, event.usage) : event.usage;
    if (this.pendingCorrection !== null) {
      // The transform asked for a re-prompt mid-reply and the turn was stopped for it.
      this.earlierUsage = usage;
      return;
    }
    // A stop we asked for ends the reply as it should; only the upstream's own cut is a length cut.
    const upstream = !this.stopRequested && event.reason === 'length' ? 'INCOMPLETE' : 'FINISHED';
    this.transform.end(upstream, this.turnReasoning, this.onOutput);
    if (this.pendingCorrection !== null) {
      this.earlierUsage = usage;
      return;
    }
    if (this.finish === 'tool_choice_violation') {
      throw new ApiError(502, 'The model did not call a tool as tool_choice requires.', {
        code: 'tool_choice_violation',
      });
    }
    emit({ ...event, usage, reason: finishReason(this.finish, event.reason, this.stopRequested) });
  }

  private readonly onOutput = (output: ToolStageOutput): void => {
    switch (output.type) {
      case 'text':
        return this.emitChat({ type: 'content', text: output.text });
      case 'toolCall':
        this.observer?.call(output.kind);
        return this.emitChat(output);
      case 'end':
        this.finish = output.finish;
        return;
      case 'stopUpstream':
        this.stopRequested = true;
        return;
      case 'repromptNeeded':
        this.pendingCorrection = output.message;
        this.observer?.correction(output.reason);
        return;
      case 'reasoningReplaced':
        return this.emitChat({ type: 'reasoningReplaced', text: this.reasoningBefore + output.reasoning });
      case 'notice':
        this.observer?.notice(output.kind);
        return;
    }
  };
}

function finishReason(finish: ToolFinish | null, upstream: FinishReason, stoppedByUs: boolean): FinishReason {
  if (finish === 'tool_calls') return 'tool_calls';
  if (stoppedByUs) return 'stop';
  return upstream;
}

export interface ToolStageOptions<In> {
  /** Sends a corrective turn in the same upstream chat; without it, failures take the no-re-prompt outcome. */
  followUp?: FollowUp<In>;
  observer?: ToolStageObserver;
}

/**
 * The tool stage as an operator over the upstream's events: `stages` is the pipeline before the stage
 * (upstream events → ChatEvents), run for each turn.
 */
export function withToolCalls<In>(
  tools: ToolRequest,
  stages: OperatorFunction<In, ChatEvent>,
  { followUp, observer }: ToolStageOptions<In> = {},
): OperatorFunction<In, ChatEvent> {
  return withCorrectiveTurns(
    stages,
    (stopTurn) => new ToolCallStage(tools, stopTurn, followUp !== undefined, observer),
    followUp,
  );
}
