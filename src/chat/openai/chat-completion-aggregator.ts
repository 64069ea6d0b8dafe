import { defer, map, OperatorFunction, reduce } from 'rxjs';
import { AnswerAccumulator } from '../events/answer-accumulator';
import type { ChatEvent } from '../events/chat-event';
import { foldedReasoning } from '../events/fold-reasoning';
import { toOpenAiUsage } from './openai-chunks';
import { messageToolCall } from './openai-tool-calls';
import type { ChatCompletion, ChatCompletionMessage, CompletionIdentity } from './openai-types';

export interface AggregateOptions {
  thinking: boolean;
  /** No reasoning is shown (the events carry none). */
  silent: boolean;
  /** Reasoning goes into the content, in a `<details>` block; the events must carry it unfolded. */
  fold: boolean;
}

/** Collects ChatEvents into one non-stream `chat.completion` (docs/api.md §2). */
export class ChatCompletionAggregator {
  private readonly answer = new AnswerAccumulator();

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly options: AggregateOptions,
  ) {}

  add(event: ChatEvent): this {
    this.answer.add(event);
    return this;
  }

  result(): ChatCompletion {
    const { thinking, silent, fold } = this.options;
    const { text, reasoning, toolCalls, finish } = this.answer;
    const content = fold ? foldedReasoning(reasoning) + text : text;
    const calls = toolCalls.length > 0;
    const message: ChatCompletionMessage = {
      role: 'assistant',
      content: calls && content === '' ? null : content,
      refusal: null,
    };
    if (thinking && !silent && !fold) message.reasoning_content = reasoning;
    if (calls) message.tool_calls = toolCalls.map(messageToolCall);
    const { id, created, model } = this.identity;
    const completion: ChatCompletion = {
      id,
      object: 'chat.completion',
      created,
      model,
      // An answer without a finish was cut.
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish?.reason ?? 'length' }],
    };
    if (finish) completion.usage = toOpenAiUsage(finish.usage);
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
