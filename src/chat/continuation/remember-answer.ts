import { defer, type MonoTypeOperatorFunction, tap } from 'rxjs';
import type { ChatEvent } from '../events/chat-event';
import type { ConversationFingerprint } from './conversation-fingerprint';

/**
 * Adds the answer, as the client receives it, to the request's fingerprint while it streams (no copy of
 * the text is kept) and hands over the key of the whole exchange once it finished. An answer replaced
 * by the content filter gets no key: the client cannot send it back as it was.
 */
export function rememberAnswer(
  request: ConversationFingerprint,
  remember: (key: string) => void,
): MonoTypeOperatorFunction<ChatEvent> {
  return (events) =>
    defer(() => {
      const answer = request.copy().openAssistant();
      let replaced = false;
      return events.pipe(
        tap((event) => {
          switch (event.type) {
            case 'content':
              answer.addText(event.text);
              return;
            case 'toolCall':
              answer.addCall(event.name, event.argumentsJson);
              return;
            case 'template':
              replaced = true;
              return;
            case 'finish':
              if (!replaced) remember(answer.key());
              return;
            default:
              return;
          }
        }),
      );
    });
}
