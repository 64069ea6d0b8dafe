import type { ChatMessage, TextPart, ToolCall } from './dto/chat-completion-request';
import {
  defangToolMarkup,
  HistoryCall,
  HistoryResult,
  renderAssistantToolTurn,
  renderToolResults,
} from './tools/tool-call-history';
import { structuredOutputInstructions } from './structured-output/structured-output-prompt';
import type { ResponseFormat } from './structured-output/response-format';
import { appendToolReminder, buildToolPrompt, ToolPrompt } from './tools/tool-prompt';
import type { ToolRequest } from './tools/tool-types';

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
 * assistant message (all of them when there is none). With active tools (docs/tool-calls.md §3) the
 * tool prompt follows the client's system text, the reminder ends the latest user turn, and user
 * text is defanged. A `response_format` asking for JSON ends the latest user turn with its instructions
 * (the last thing the model reads, as the tool reminder is).
 */
export interface PromptOptions {
  continuation?: boolean;
  tools?: ToolRequest | null;
  responseFormat?: ResponseFormat | null;
  /** The continued session's history holds these tool declarations already: only the reminder is sent. */
  toolsDeclared?: boolean;
  /** `tools`' prompt when the caller built it already (it is the same for every prompt of a request). */
  toolPrompt?: ToolPrompt | null;
}

export function buildPrompt(messages: readonly ChatMessage[], options: PromptOptions = {}): string {
  const { continuation = false, tools = null, responseFormat = null } = options;
  const toolPrompt =
    options.toolPrompt !== undefined ? options.toolPrompt : tools === null ? null : buildToolPrompt(tools);
  const first = continuation ? messages.length - messagesToSend(messages, true).length : 0;
  const turns = mergeSameRole(toTurns(messages, first, toolPrompt !== null));
  if (toolPrompt !== null) placeToolPrompt(turns, toolPrompt, options.toolsDeclared === true);
  if (responseFormat !== null) endLatestUserTurn(turns, structuredOutputInstructions(responseFormat));
  return flatten(turns);
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

const historyCall = (call: ToolCall): HistoryCall => ({ id: call.id, name: call.name, argumentsJson: call.arguments });

/**
 * Turns for `messages[first…]`. Consecutive `tool`/`function` messages become one user-side
 * `<tool_results>` turn answering the calls of the assistant message before them (which, in a
 * continuation, is in the history the upstream already holds).
 */
function toTurns(messages: readonly ChatMessage[], first: number, defang: boolean): PromptTurn[] {
  const turns: PromptTurn[] = [];
  let calls: HistoryCall[] = [];
  let results: HistoryResult[] = [];
  const flushResults = (): void => {
    if (results.length > 0) turns.push({ role: 'user', text: renderToolResults(calls, results) });
    results = [];
  };
  messages.forEach((message, i) => {
    const text = contentText(message.content);
    if (message.role === 'tool' || message.role === 'function') {
      if (i >= first) {
        results.push({ callId: message.toolCallId, name: message.name, content: text, isError: message.isError });
      }
      return;
    }
    if (i >= first) flushResults();
    if (message.role === 'assistant') calls = message.toolCalls.map(historyCall);
    if (i < first) return;
    switch (message.role) {
      case 'system':
      case 'developer':
        return void turns.push({ role: 'system', text });
      case 'user':
        return void turns.push({ role: 'user', text: defang ? defangToolMarkup(text) : text });
      case 'assistant':
        return void turns.push({ role: 'assistant', text: renderAssistantToolTurn(text, calls, 'dsml') });
    }
  });
  flushResults();
  return turns;
}

function placeToolPrompt(turns: PromptTurn[], prompt: ToolPrompt, declared: boolean): void {
  // A session that holds the declarations already gets only the reminder at the end of the new turn.
  if (!declared && turns[0]?.role === 'system') turns[0].text = `${turns[0].text}\n\n${prompt.system}`;
  else if (!declared) turns.unshift({ role: 'system', text: prompt.system });
  const latestUser = turns.findLast((turn) => turn.role === 'user');
  if (latestUser) latestUser.text = appendToolReminder(latestUser.text, prompt);
}

function endLatestUserTurn(turns: PromptTurn[], text: string): void {
  const latestUser = turns.findLast((turn) => turn.role === 'user');
  if (latestUser) latestUser.text = latestUser.text === '' ? text : `${latestUser.text}\n\n${text}`;
  else turns.push({ role: 'user', text });
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
