import { defer, Observable, OperatorFunction, Subject, takeUntil } from 'rxjs';
import { ApiError } from '../../common/errors/api-error';
import type { ChatEvent, FinishReason } from '../events/chat-event';
import { Emit, EventStage, stageOperator } from '../events/stage-operator';
import { ToolCallTransform } from './tool-call-transform';
import type { ToolFinish, ToolRequest, ToolStageOutput } from './tool-types';

type Finish = Extract<ChatEvent, { type: 'finish' }>;

/**
 * ChatEvents through `ToolCallTransform` (docs/tool-calls.md §7): content deltas become text and calls,
 * reasoning passes (and is kept for promotion at the end), and the finish takes the transform's reason.
 * No re-prompt is sent yet: the transform starts with it spent, so each failure takes the policy's
 * no-re-prompt outcome.
 */
class ToolCallStage implements EventStage<ChatEvent, ChatEvent> {
  private readonly transform: ToolCallTransform;
  private reasoning = '';
  private stopRequested = false;
  private stopped = false;
  private finish: ToolFinish | null = null;
  private emitChat: Emit<ChatEvent> = () => undefined;

  constructor(
    tools: ToolRequest,
    private readonly stopUpstream: () => void,
  ) {
    this.transform = new ToolCallTransform(tools, { repromptAvailable: false });
  }

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    this.emitChat = emit;
    switch (event.type) {
      case 'content':
        this.transform.pushContent(event.text, this.onOutput);
        // After the transform returns, so that it never sees its own upstream end mid-call.
        if (this.stopRequested && !this.stopped) {
          this.stopped = true;
          this.stopUpstream();
        }
        return;
      case 'reasoning':
        this.reasoning += event.text;
        emit(event);
        return;
      case 'finish':
        return this.onFinish(event, emit);
      default:
        emit(event);
    }
  }

  complete(): void {
    // `finish` always comes last and was handled.
  }

  private onFinish(event: Finish, emit: Emit<ChatEvent>): void {
    // A stop we asked for ends the reply as it should; only the upstream's own cut is a length cut.
    const upstream = !this.stopRequested && event.reason === 'length' ? 'INCOMPLETE' : 'FINISHED';
    this.transform.end(upstream, this.reasoning, this.onOutput);
    if (this.finish === 'tool_choice_violation') {
      throw new ApiError(502, 'The model did not call a tool as tool_choice requires.', {
        code: 'tool_choice_violation',
      });
    }
    emit({ ...event, reason: finishReason(this.finish, event.reason, this.stopRequested) });
  }

  private readonly onOutput = (output: ToolStageOutput): void => {
    switch (output.type) {
      case 'text':
        return this.emitChat({ type: 'content', text: output.text });
      case 'toolCall':
        return this.emitChat(output);
      case 'end':
        this.finish = output.finish;
        return;
      case 'stopUpstream':
        this.stopRequested = true;
        return;
      case 'repromptNeeded':
      case 'reasoningReplaced':
      case 'notice':
        return;
    }
  };
}

function finishReason(finish: ToolFinish | null, upstream: FinishReason, stoppedByUs: boolean): FinishReason {
  if (finish === 'tool_calls') return 'tool_calls';
  if (stoppedByUs) return 'stop';
  return upstream;
}

/**
 * The tool stage as an operator over the upstream's events: `stages` is the pipeline before the stage
 * (upstream events → ChatEvents). When the stage asks for the upstream to stop, the upstream events
 * end there: leaving the upstream's stream early cuts its body and sends the stop call, and the
 * account is freed once that settled.
 */
export function withToolCalls<In>(
  tools: ToolRequest,
  stages: OperatorFunction<In, ChatEvent>,
): OperatorFunction<In, ChatEvent> {
  return (events: Observable<In>) =>
    defer(() => {
      const stop = new Subject<void>();
      const stage = stageOperator(() => new ToolCallStage(tools, () => stop.next()));
      return events.pipe(takeUntil(stop), stages, stage);
    });
}
