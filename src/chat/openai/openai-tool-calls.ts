import type { ChatEvent } from '../events/chat-event';
import type { MessageToolCall, ToolCallDelta } from './openai-types';

type ToolCallEvent = Extract<ChatEvent, { type: 'toolCall' }>;

/** A custom tool's one raw-text parameter, `input` (docs/tool-calls.md §3). */
function customInput(argumentsJson: string): string {
  const parsed: unknown = JSON.parse(argumentsJson);
  const input = typeof parsed === 'object' && parsed !== null ? (parsed as { input?: unknown }).input : undefined;
  return typeof input === 'string' ? input : input === undefined ? '' : JSON.stringify(input);
}

/**
 * A call as stream fragments: the first with `index`, `id`, `type`, the name and empty arguments (the
 * `openai` accumulator and the AI SDK require all of them there), then the arguments. A custom tool's
 * call is one fragment.
 */
export function toolCallDeltas(call: ToolCallEvent): ToolCallDelta[] {
  const { index, id, name, argumentsJson } = call;
  if (call.kind === 'custom') {
    return [{ index, id, type: 'custom', custom: { name, input: customInput(argumentsJson) } }];
  }
  return [
    { index, id, type: 'function', function: { name, arguments: '' } },
    { index, function: { arguments: argumentsJson } },
  ];
}

/** A call as `message.tool_calls[i]` of a non-stream answer. */
export function messageToolCall(call: ToolCallEvent): MessageToolCall {
  const { id, name, argumentsJson } = call;
  if (call.kind === 'custom') return { id, type: 'custom', custom: { name, input: customInput(argumentsJson) } };
  return { id, type: 'function', function: { name, arguments: argumentsJson } };
}
