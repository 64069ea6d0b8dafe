import type { ChatMessage, ToolCall } from './dto/chat-completion-request';

/**
 * Tool calls and results in the flattened history, as plain readable text. A stopgap until tool calls
 * are emulated (the tool-calling stage will replace this file with its own markup).
 */

/** Call id → function name, from every assistant turn, so a result can name its tool. */
export function collectToolNames(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const call of message.toolCalls) if (call.id !== null) names.set(call.id, call.name);
  }
  return names;
}

export function appendToolCalls(text: string, calls: readonly ToolCall[]): string {
  const lines = calls.map((call) => `[Called ${call.name} with ${call.arguments}]`).join('\n');
  return text ? `${text}\n\n${lines}` : lines;
}

/** A `tool` or legacy `function` message, rendered for the user side of the history. */
export function renderToolResult(message: ChatMessage, text: string, names: ReadonlyMap<string, string>): string {
  const name = message.name ?? (message.toolCallId !== null ? names.get(message.toolCallId) : undefined);
  return `[Result of ${name ?? 'a tool call'}]\n${text}`;
}
