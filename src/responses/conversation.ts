import { type ChatMessage, chatMessage } from '../chat/dto/chat-completion-request';
import type { ResolvedItem } from './input-items';
import type { OutputItem } from './wire/responses-types';

/**
 * The chat messages for a conversation of items: `instructions` first as a system message; each call
 * joins the assistant turn before it (several calls in a row are one parallel turn); each call output
 * is a tool message.
 */
export function toChatMessages(instructions: string | null, items: readonly ResolvedItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions !== null && instructions !== '') messages.push(message('system', instructions));
  for (const item of items) {
    switch (item.type) {
      case 'message':
        messages.push(message(item.role, item.content, { attachments: item.attachments ?? [] }));
        break;
      case 'call': {
        const last = messages.at(-1);
        const turn = last?.role === 'assistant' ? last : messages[messages.push(message('assistant', null)) - 1];
        turn.toolCalls.push({ id: item.callId, name: item.name, arguments: item.arguments });
        break;
      }
      case 'callOutput':
        messages.push({ ...message('tool', item.output), toolCallId: item.callId });
        break;
    }
  }
  return messages;
}

const message = chatMessage;

/** An output item as the next turn's input: reasoning is not sent back to the model. */
export function asInputItem(item: OutputItem): ResolvedItem | null {
  switch (item.type) {
    case 'message':
      return { type: 'message', role: 'assistant', content: item.content.map((part) => part.text).join('') };
    case 'function_call':
      return { type: 'call', callId: item.call_id, name: item.name, arguments: item.arguments };
    case 'custom_tool_call':
      return { type: 'call', callId: item.call_id, name: item.name, arguments: JSON.stringify({ input: item.input }) };
    case 'reasoning':
      return null;
  }
}

/**
 * An item as the response store keeps it: a message's attachment markers stay in its text, its bytes do
 * not (stored JSON holds no Buffers). So a later turn by `previous_response_id` does not send earlier
 * files again; the model sees only where they were.
 */
export function withoutAttachments(item: ResolvedItem): ResolvedItem {
  if (item.type !== 'message' || item.attachments === undefined) return item;
  const { attachments: _attachments, ...stored } = item;
  return stored;
}
