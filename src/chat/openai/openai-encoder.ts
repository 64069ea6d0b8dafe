import type { ChatPlan } from '../chat-plan';
import type { AnswerRef, WireEncoder } from '../wire-encoder';
import { toChatCompletion } from './chat-completion-aggregator';
import { completionIdentity } from './openai-chunks';
import { sseErrorFrame, toOpenAiSse } from './openai-sse';
import type { ChatCompletion } from './openai-types';

/** OpenAI Chat Completions: a `chat.completion`, or `chat.completion.chunk` frames ending with `[DONE]`. */
export function openAiEncoder(plan: ChatPlan): WireEncoder<ChatCompletion> {
  const identityOf = ({ model, sessionId, responseMessageId }: AnswerRef) =>
    completionIdentity(model, sessionId, responseMessageId);
  return {
    body: (answer) => toChatCompletion(identityOf(answer), plan),
    frames: (answer) => toOpenAiSse(identityOf(answer), plan.includeUsage),
    errorFrame: sseErrorFrame,
  };
}
