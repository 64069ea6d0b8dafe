import type { ChatMessage, TextPart } from './dto/chat-completion-request';
import { appendToolCalls, collectToolNames, renderToolResult } from './tool-history';

/** DeepSeek chat-template markers: U+FF5C FULLWIDTH VERTICAL LINE, U+2581 LOWER ONE EIGHTH BLOCK. */
export const USER_MARKER = '<\uff5cUser\uff5c>';
export const ASSISTANT_MARKER = '<\uff5cAssistant\uff5c>';
export const END_OF_SENTENCE = '<\uff5cend\u2581of\u2581sentence\uff5c>';

interface PromptTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

/**
 * The upstream prompt for a request (docs/protocol.md §9.1). With `continuation` the upstream
 * session already holds the history, so only the new turn is sent: the messages after the last
 * assistant message (all of them when there is none).
 */
export function buildPrompt(messages: readonly ChatMessage[], continuation: boolean): string {
  const toolNames = collectToolNames(messages);
  const turns = messagesToSend(messages, continuation).map((message) => toTurn(message, toolNames));
  return flatten(mergeSameRole(turns));
}

export function messagesToSend(messages: readonly ChatMessage[], continuation: boolean): readonly ChatMessage[] {
  if (!continuation) return messages;
  const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
  return messages.slice(lastAssistant + 1);
}

export function contentText(content: string | readonly TextPart[] | null): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('\n');
}

function toTurn(message: ChatMessage, toolNames: ReadonlyMap<string, string>): PromptTurn {
  const text = contentText(message.content);
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', text };
    case 'user':
      return { role: 'user', text };
    case 'assistant':
      return {
        role: 'assistant',
        text: message.toolCalls.length > 0 ? appendToolCalls(text, message.toolCalls) : text,
      };
    case 'tool':
    case 'function':
      return { role: 'user', text: renderToolResult(message, text, toolNames) };
  }
}

function mergeSameRole(turns: readonly PromptTurn[]): PromptTurn[] {
  const merged: PromptTurn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last?.role === turn.role) last.text += `\n\n${turn.text}`;
    else merged.push({ ...turn });
  }
  return merged;
}

function flatten(blocks: readonly PromptTurn[]): string {
  let prompt = '';
  for (let i = 0; i < blocks.length; i++) {
    const { role, text } = blocks[i];
    if (role === 'assistant') prompt += `${ASSISTANT_MARKER}${text}${END_OF_SENTENCE}`;
    else prompt += i === 0 ? text : `${USER_MARKER}${text}`;
  }
  return prompt;
}
