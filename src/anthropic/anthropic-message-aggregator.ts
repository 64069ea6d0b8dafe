import { defer, map, type OperatorFunction, reduce } from 'rxjs';
import { AnswerAccumulator } from '../chat/events/answer-accumulator';
import type { ChatEvent } from '../chat/events/chat-event';
import { anthropicToolUseId, thinkingSignature } from './anthropic-ids';
import { anthropicStop } from './anthropic-stop-reason';
import { toAnthropicUsage } from './anthropic-usage';
import type { AnthropicContentBlock, AnthropicMessage } from './anthropic-types';

/** What names the message: its id and the model as the client sent it. */
export interface MessageIdentity {
  id: string;
  model: string;
}

/**
 * Collects ChatEvents into one non-stream `message`: thinking first (with its signature), then the text,
 * then the tool calls. As with Chat Completions, a content filter's template replaces the answer.
 */
export class AnthropicMessageAggregator {
  private readonly answer = new AnswerAccumulator();

  constructor(
    private readonly identity: MessageIdentity,
    private readonly promptTokens: number,
  ) {}

  add(event: ChatEvent): this {
    this.answer.add(event);
    return this;
  }

  result(): AnthropicMessage {
    const { text, reasoning, toolCalls, finish } = this.answer;
    const content: AnthropicContentBlock[] = [];
    if (reasoning !== '') {
      content.push({ type: 'thinking', thinking: reasoning, signature: thinkingSignature(reasoning) });
    }
    if (text !== '' || toolCalls.length === 0) content.push({ type: 'text', text });
    for (const call of toolCalls) {
      content.push({
        type: 'tool_use',
        id: anthropicToolUseId(call.id),
        name: call.name,
        input: inputOf(call.argumentsJson),
      });
    }
    return {
      ...this.identity,
      type: 'message',
      role: 'assistant',
      content,
      // An answer without a finish was cut.
      ...(finish ? anthropicStop(finish) : { stop_reason: 'max_tokens', stop_sequence: null }),
      usage: finish ? toAnthropicUsage(finish.usage) : { input_tokens: this.promptTokens, output_tokens: 0 },
    };
  }
}

/** A tool call's arguments (a JSON object's text, docs/tool-calls.md §7) as the `input` object. */
export function inputOf(argumentsJson: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsJson);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // The tool stage only emits objects; this guards the type.
  }
  return {};
}

export function toAnthropicMessage(
  identity: MessageIdentity,
  promptTokens: number,
): OperatorFunction<ChatEvent, AnthropicMessage> {
  return (events) =>
    defer(() =>
      events.pipe(
        reduce((aggregator, event) => aggregator.add(event), new AnthropicMessageAggregator(identity, promptTokens)),
        map((aggregator) => aggregator.result()),
      ),
    );
}
