import { defer, map, OperatorFunction, reduce } from 'rxjs';
import type { ChatEvent, FinishReason } from '../events/chat-event';
import { foldedReasoning } from '../events/fold-reasoning';
import type { ChatUsage } from '../usage';
import { toOpenAiUsage } from './openai-chunks';
import { messageToolCall } from './openai-tool-calls';
import type { ChatCompletion, ChatCompletionMessage, CompletionIdentity, MessageToolCall } from './openai-types';

export interface AggregateOptions {
  thinking: boolean;
  /** No reasoning is shown (the events carry none). */
  silent: boolean;
  /** Reasoning goes into the content, in a `<details>` block; the events must carry it unfolded. */
  fold: boolean;
}

/**
 * Collects ChatEvents into one non-stream `chat.completion` (docs/api.md §2). Unlike a stream, it can
 * drop what a content filter voided: a template replaces the answer (docs/protocol.md §8.6).
 */
export class ChatCompletionAggregator {
  private answer = '';
  private reasoning = '';
  private filtered = false;
  private finishReason: FinishReason = 'length';
  private usage: ChatUsage | null = null;
  private readonly toolCalls: MessageToolCall[] = [];

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly options: AggregateOptions,
  ) {}

  add(event: ChatEvent): this {
    switch (event.type) {
      case 'content':
        this.answer += event.text;
        break;
      case 'template':
        if (!this.filtered) this.answer = '';
        this.filtered = true;
        this.answer += event.text;
        break;
      case 'reasoning':
        this.reasoning += event.text;
        break;
      case 'reasoningReplaced':
        this.reasoning = event.text;
        break;
      case 'finish':
        this.finishReason = event.reason;
        this.usage = event.usage;
        break;
      case 'toolCall':
        this.toolCalls.push(messageToolCall(event));
        break;
      case 'sources':
        break;
    }
    return this;
  }

  result(): ChatCompletion {
    const { thinking, silent, fold } = this.options;
    const content = fold ? foldedReasoning(this.reasoning) + this.answer : this.answer;
    const calls = this.toolCalls.length > 0;
    const message: ChatCompletionMessage = {
      role: 'assistant',
      content: calls && content === '' ? null : content,
      refusal: null,
    };
    if (thinking && !silent && !fold) message.reasoning_content = this.reasoning;
    if (calls) message.tool_calls = this.toolCalls;
    const { id, created, model } = this.identity;
    const completion: ChatCompletion = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: this.finishReason }],
    };
    if (this.usage) completion.usage = toOpenAiUsage(this.usage);
    return completion;
  }
}

/** Emits the one `chat.completion` when the events complete. A `ChatPlan` is a valid `options`. */
export function toChatCompletion(
  identity: CompletionIdentity,
  options: AggregateOptions,
): OperatorFunction<ChatEvent, ChatCompletion> {
  return (events) =>
    defer(() =>
      events.pipe(
        reduce((aggregator, event) => aggregator.add(event), new ChatCompletionAggregator(identity, options)),
        map((aggregator) => aggregator.result()),
      ),
    );
}
