import type { ChatEvent } from './chat-event';

type ToolCallEvent = Extract<ChatEvent, { type: 'toolCall' }>;
type FinishEvent = Extract<ChatEvent, { type: 'finish' }>;

/**
 * A whole answer from its ChatEvents, as every non-stream body reports it. Unlike a stream, it can take
 * back what was voided: a content filter's template replaces the text before it (docs/protocol.md
 * §8.6), and calls promoted out of the reasoning leave the reasoning without them.
 */
export class AnswerAccumulator {
  text = '';
  reasoning = '';
  readonly toolCalls: ToolCallEvent[] = [];
  /** Null until the answer finished (an answer without a finish was cut). */
  finish: FinishEvent | null = null;
  private filtered = false;

  add(event: ChatEvent): this {
    switch (event.type) {
      case 'content':
        this.text += event.text;
        break;
      case 'template':
        if (!this.filtered) this.text = '';
        this.filtered = true;
        this.text += event.text;
        break;
      case 'reasoning':
        this.reasoning += event.text;
        break;
      case 'reasoningReplaced':
        this.reasoning = event.text;
        break;
      case 'toolCall':
        this.toolCalls.push(event);
        break;
      case 'finish':
        this.finish = event;
        break;
      case 'sources':
        break;
    }
    return this;
  }
}
