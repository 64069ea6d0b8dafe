import type { OperatorFunction } from 'rxjs';
import type { ChatEvent } from './chat-event';
import { Emit, EventStage, StageFactory, stageOperator } from './stage-operator';

export const FOLD_OPEN = '<details><summary>Thinking</summary>\n\n';
export const FOLD_CLOSE = '\n\n</details>\n\n';

/** The folded form of `reasoning` (non-stream answers fold it in one go). */
export function foldedReasoning(reasoning: string): string {
  return reasoning ? FOLD_OPEN + reasoning + FOLD_CLOSE : '';
}

/**
 * For `fold` models: reasoning becomes content inside a collapsed `<details>` block, opened by the
 * first reasoning text and closed before the first answer text or template (or at the end).
 */
class FoldStage implements EventStage<ChatEvent, ChatEvent> {
  private open = false;

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'reasoning':
        emit({ type: 'content', text: this.open ? event.text : FOLD_OPEN + event.text });
        this.open = true;
        return;
      case 'content':
        emit(this.open ? { type: 'content', text: FOLD_CLOSE + event.text } : event);
        this.open = false;
        return;
      case 'template':
      case 'finish':
        this.close(emit);
        emit(event);
        return;
      case 'sources':
      case 'toolCall':
        emit(event);
        return;
      case 'reasoningReplaced':
        // What was folded into the content was sent already.
        return;
    }
  }

  complete(emit: Emit<ChatEvent>): void {
    this.close(emit);
  }

  private close(emit: Emit<ChatEvent>): void {
    if (this.open) emit({ type: 'content', text: FOLD_CLOSE });
    this.open = false;
  }
}

export const foldStage: StageFactory<ChatEvent, ChatEvent> = () => new FoldStage();

export function foldReasoning(): OperatorFunction<ChatEvent, ChatEvent> {
  return stageOperator(foldStage);
}
