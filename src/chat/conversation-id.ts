/**
 * The old server's continuation contract (docs/protocol.md §9.2): every response id is
 * `<chat_session_id>@<response_message_id>`, and a caller sends it back as `conversation_id`.
 */
export interface ConversationRef {
  sessionId: string;
  /** The response message to answer after (`parent_message_id`). */
  messageId: number;
}

const CONVERSATION_ID = /^[0-9a-f-]{36}@[0-9]+$/;

export function parseConversationId(value: string): ConversationRef | null {
  if (!CONVERSATION_ID.test(value)) return null;
  const at = value.indexOf('@');
  const messageId = Number(value.slice(at + 1));
  return Number.isSafeInteger(messageId) ? { sessionId: value.slice(0, at), messageId } : null;
}

export function formatConversationId(sessionId: string, messageId: number): string {
  return `${sessionId}@${messageId}`;
}
