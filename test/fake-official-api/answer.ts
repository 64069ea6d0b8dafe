import { randomUUID } from 'node:crypto';
import { messageText, pieces } from './usage';
import type { ScriptedReply } from './types';
import type { ParsedChat, ToolDef } from './validate';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface AnswerToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** An answer ready to send: reasoning and content already split into pieces (one token each). */
export interface Answer {
  reasoning: string[] | null;
  content: string[];
  toolCalls: AnswerToolCall[];
  finishReason: FinishReason;
  completionTokens: number;
}

const TOOL_TRIGGER = /\b(call|weather)\b/i;

/** The answer when nothing is scripted: an echo, a call to a declared tool, or a tool result quoted. */
export function defaultReply(chat: ParsedChat, answerPieces: number): ScriptedReply {
  const last = chat.messages[chat.messages.length - 1];
  const lastUser = [...chat.messages].reverse().find((m) => m.role === 'user');
  const said = lastUser ? messageText(lastUser) : '';
  const reasoning = `The user said "${said}". I will answer.`;
  if (last.role === 'tool') return { reasoning, content: `The tool returned: ${messageText(last)}` };
  const tool = toolToCall(chat, said);
  if (tool) return { reasoning, toolCalls: [{ name: tool.name, arguments: argumentsFor(tool) }] };
  if (chat.jsonObject) return { reasoning, content: JSON.stringify({ answer: said }) };
  const content = `You said: ${said}`;
  return { reasoning, content: answerPieces > 0 ? stretch(content, answerPieces) : content };
}

function toolToCall(chat: ParsedChat, said: string): ToolDef | undefined {
  const choice = chat.toolChoice;
  if (chat.tools.length === 0 || choice === 'none') return undefined;
  if (typeof choice === 'object') return chat.tools.find((t) => t.name === choice.name);
  return choice === 'required' || TOOL_TRIGGER.test(said) ? chat.tools[0] : undefined;
}

/** `{}`, or every required string property of the schema set to "x". */
function argumentsFor(tool: ToolDef): string {
  const properties = (tool.parameters?.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = Array.isArray(tool.parameters?.required) ? (tool.parameters.required as unknown[]) : [];
  const args: Record<string, string> = {};
  for (const name of required) {
    if (typeof name === 'string' && properties[name]?.type === 'string') args[name] = 'x';
  }
  return JSON.stringify(args);
}

/** Exactly `count` pieces, repeating the text's pieces. */
function stretch(text: string, count: number): string {
  const source = pieces(` ${text}`);
  return Array.from({ length: count }, (_, i) => source[i % source.length])
    .join('')
    .trimStart();
}

export function buildAnswer(chat: ParsedChat, reply: ScriptedReply, thinking: boolean): Answer {
  const toolCalls = (reply.toolCalls ?? []).map((c) => ({
    id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    name: c.name,
    arguments: c.arguments,
  }));
  let finishReason: FinishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  let text = reply.content ?? '';
  const stopAt = Math.min(...chat.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  if (Number.isFinite(stopAt)) text = text.slice(0, stopAt);
  let content = pieces(text);
  if (chat.maxTokens !== null && content.length > chat.maxTokens) {
    content = content.slice(0, chat.maxTokens);
    finishReason = 'length';
  }
  const reasoning = thinking ? pieces(reply.reasoning ?? '') : null;
  const callTokens = toolCalls.reduce((n, c) => n + pieces(c.name).length + pieces(c.arguments).length, 0);
  return {
    reasoning,
    content,
    toolCalls,
    finishReason,
    completionTokens: (reasoning?.length ?? 0) + content.length + callTokens,
  };
}
