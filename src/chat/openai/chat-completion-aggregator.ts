import { defer, map, OperatorFunction, reduce } from 'rxjs';
import type { ChatEvent, FinishReason } from '../events/chat-event';
import type { ChatUsage } from '../usage';
import { toOpenAiUsage } from './openai-chunks';
import type { ChatCompletion, ChatCompletionMessage, CompletionIdentity } from './openai-types';

export interface AggregateOptions {
  thinking: boolean;
  /** Folded reasoning is already in the content. */
  fold: boolean;
}

/** Collects ChatEvents into one non-stream `chat.completion` (client-api.md §2). */
export class ChatCompletionAggregator {
  private content = '';
  private reasoning = '';
  private finishReason: FinishReason = 'length';
  private usage: ChatUsage | null = null;

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly options: AggregateOptions,
  ) {}

  add(event: ChatEvent): this {
    switch (event.type) {
      case 'content':
        this.content += event.text;
        break;
      case 'reasoning':
        this.reasoning += event.text;
        break;
      case 'finish':
        this.finishReason = event.reason;
        this.usage = event.usage;
        break;
      case 'sources':
        break;
    }
    return this;
  }

  result(): ChatCompletion {
    const message: ChatCompletionMessage = { role: 'assistant', content: this.content, refusal: null };
    if (this.options.thinking && !this.options.fold) message.reasoning_content = this.reasoning;
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
