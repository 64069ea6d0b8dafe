import { randomBytes } from 'node:crypto';
import { formatConversationId } from '../conversation-id';
import type { ChatEvent, FinishReason } from '../events/chat-event';
import type { ChatUsage } from '../usage';
import { toolCallDeltas } from './openai-tool-calls';
import type { ChatCompletionChunk, ChunkChoice, ChunkDelta, CompletionIdentity, OpenAiUsage } from './openai-types';

/** Id, creation time and model of a new completion; the id is the caller's next `conversation_id`. */
export function completionIdentity(
  model: string,
  sessionId: string,
  responseMessageId: number | null,
  nowMs = Date.now(),
): CompletionIdentity {
  const id =
    responseMessageId === null
      ? `chatcmpl-${randomBytes(12).toString('hex')}`
      : formatConversationId(sessionId, responseMessageId);
  return { id, created: Math.floor(nowMs / 1000), model };
}

export function toOpenAiUsage(usage: ChatUsage): OpenAiUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** `chat.completion.chunk` objects for one completion (docs/api.md §3.2, §3.4). */
export class OpenAiChunkBuilder {
  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {}

  /** The first chunk of every stream. */
  roleChunk(): ChatCompletionChunk {
    return this.choiceChunk({ role: 'assistant', content: '' }, null);
  }

  deltaChunk(delta: ChunkDelta): ChatCompletionChunk {
    return this.choiceChunk(delta, null);
  }

  finishChunk(reason: FinishReason): ChatCompletionChunk {
    return this.choiceChunk({}, reason);
  }

  /** Only with include_usage: after the finish chunk, no choices. */
  usageChunk(usage: ChatUsage): ChatCompletionChunk {
    const { id, created, model } = this.identity;
    return { id, object: 'chat.completion.chunk', created, model, choices: [], usage: toOpenAiUsage(usage) };
  }

  /** The chunks one event becomes, in order (none for `sources`). */
  chunksFor(event: ChatEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'reasoning':
        return [this.deltaChunk({ reasoning_content: event.text })];
      case 'content':
      case 'template':
        return [this.deltaChunk({ content: event.text })];
      case 'finish': {
        const finish = this.finishChunk(event.reason);
        return this.includeUsage ? [finish, this.usageChunk(event.usage)] : [finish];
      }
      case 'toolCall':
        return toolCallDeltas(event).map((delta) => this.deltaChunk({ tool_calls: [delta] }));
      case 'sources':
      case 'reasoningReplaced':
        return [];
    }
  }

  private choiceChunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const { id, created, model } = this.identity;
    const choice: ChunkChoice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
    const chunk: ChatCompletionChunk = { id, object: 'chat.completion.chunk', created, model, choices: [choice] };
    if (this.includeUsage) chunk.usage = null;
    return chunk;
  }
}
