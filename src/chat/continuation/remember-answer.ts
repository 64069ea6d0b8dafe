import type { ChatEvent } from '../events/chat-event';
import type { Emit, EventStage, StageFactory } from '../events/stage-operator';
import type { ConversationFingerprint } from './conversation-fingerprint';

/**
 * Adds the answer, as the client receives it, to the request's fingerprint while it streams (no copy of
 * the text is kept) and hands over the key of the whole exchange once it finished. An answer replaced
 * by the content filter gets no key: the client cannot send it back as it was.
 */
class RememberStage implements EventStage<ChatEvent, ChatEvent> {
  private readonly answer: ConversationFingerprint;
  private replaced = false;

  constructor(
    request: ConversationFingerprint,
    private readonly remember: (key: string) => void,
  ) {
    this.answer = request.copy().openAssistant();
  }

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'content':
        this.answer.addText(event.text);
        break;
      case 'toolCall':
        this.answer.addCall(event.name, event.argumentsJson);
        break;
      case 'template':
        this.replaced = true;
        break;
      case 'finish':
        if (!this.replaced) this.remember(this.answer.key());
        break;
      default:
        break;
    }
    emit(event);
  }

  complete(): void {}
}

export function rememberAnswer(
  request: ConversationFingerprint,
  remember: (key: string) => void,
): StageFactory<ChatEvent, ChatEvent> {
  return () => new RememberStage(request, remember);
}
