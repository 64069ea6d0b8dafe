import { defer, map, type OperatorFunction, reduce } from 'rxjs';
import type { ChatEvent } from '../chat/events/chat-event';
import { anthropicToolUseId, thinkingSignature } from './anthropic-ids';
import { anthropicStop } from './anthropic-stop-reason';
import type { AnthropicContentBlock, AnthropicMessage } from './anthropic-types';

/** What names the message: its id and the model as the client sent it. */
export interface MessageIdentity {
  id: string;
  model: string;
}

type ToolUseBlock = Extract<AnthropicContentBlock, { type: 'tool_use' }>;

/**
 * Collects ChatEvents into one non-stream `message`: thinking first (with its signature), then the text,
 * then the tool calls. As with Chat Completions, a content filter's template replaces the answer.
 */
export class AnthropicMessageAggregator {
  private text = '';
  private reasoning = '';
  private filtered = false;
  private readonly toolUses: ToolUseBlock[] = [];
  private message: AnthropicMessage;

  constructor(identity: MessageIdentity, promptTokens: number) {
    this.message = {
      ...identity,
      type: 'message',
      role: 'assistant',
      content: [],
      // An answer without a finish was cut.
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: promptTokens, output_tokens: 0 },
    };
  }

  add(event: ChatEvent): this {
    switch (event.type) {
      case 'content':
        this.text += event.text;
        break;
      case 'template':
        if (!this.filtered) this.text = '';
        this.filtered = true;
        this.text += event.text;
        break;
      case 'reasoning':
        this.reasoning += event.text;
        break;
      case 'reasoningReplaced':
        this.reasoning = event.text;
        break;
      case 'toolCall':
        this.toolUses.push({
          type: 'tool_use',
          id: anthropicToolUseId(event.id),
          name: event.name,
          input: inputOf(event.argumentsJson),
        });
        break;
      case 'finish':
        Object.assign(this.message, anthropicStop(event));
        this.message.usage = { input_tokens: event.usage.promptTokens, output_tokens: event.usage.completionTokens };
        break;
      case 'sources':
        break;
    }
    return this;
  }

  result(): AnthropicMessage {
    const content: AnthropicContentBlock[] = [];
    if (this.reasoning !== '') {
      content.push({ type: 'thinking', thinking: this.reasoning, signature: thinkingSignature(this.reasoning) });
    }
    if (this.text !== '' || this.toolUses.length === 0) content.push({ type: 'text', text: this.text });
    content.push(...this.toolUses);
    return { ...this.message, content };
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
