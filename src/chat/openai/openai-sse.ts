import { Observable, OperatorFunction } from 'rxjs';
import type { ApiError } from '../../common/errors/api-error';
import { toOpenAiErrorBody } from '../../common/errors/openai-error-body';
import type { ChatEvent } from '../events/chat-event';
import { OpenAiChunkBuilder } from './openai-chunks';
import type { CompletionIdentity } from './openai-types';

export const SSE_DONE_FRAME = 'data: [DONE]\n\n';

export function sseFrame(payload: object): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The in-stream error after the first byte (docs/api.md §3.5): no `choices`. */
export function sseErrorFrame(error: ApiError): string {
  return sseFrame(toOpenAiErrorBody(error));
}

/**
 * ChatEvent → SSE frame text. Text deltas (one per upstream token) are the hot path: their frame is a
 * precomputed envelope around `JSON.stringify(text)`, byte-identical to `sseFrame(chunk)` (pinned by
 * the spec), without building the chunk object.
 */
export class OpenAiSseEncoder {
  private readonly chunks: OpenAiChunkBuilder;
  private readonly contentPrefix: string;
  private readonly reasoningPrefix: string;
  private readonly deltaSuffix: string;
  /** The last content text sent, and whether a template has begun (it follows sent text in a new paragraph). */
  private lastContent = '';
  private inTemplate = false;

  constructor(identity: CompletionIdentity, includeUsage: boolean) {
    this.chunks = new OpenAiChunkBuilder(identity, includeUsage);
    const envelope =
      `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk",` +
      `"created":${JSON.stringify(identity.created)},"model":${JSON.stringify(identity.model)},` +
      '"choices":[{"index":0,"delta":{';
    this.contentPrefix = `${envelope}"content":`;
    this.reasoningPrefix = `${envelope}"reasoning_content":`;
    this.deltaSuffix = `},"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
  }

  /** The role frame that opens every stream. */
  start(): string {
    return sseFrame(this.chunks.roleChunk());
  }

  /** The frame(s) for one event; '' when it has none. */
  encode(event: ChatEvent): string {
    switch (event.type) {
      case 'content':
        this.lastContent = event.text;
        return this.contentPrefix + JSON.stringify(event.text) + this.deltaSuffix;
      case 'template':
        return this.contentPrefix + JSON.stringify(this.templateText(event.text)) + this.deltaSuffix;
      case 'reasoning':
        return this.reasoningPrefix + JSON.stringify(event.text) + this.deltaSuffix;
      case 'finish':
      case 'sources':
      case 'toolCall':
      case 'reasoningReplaced':
        return this.chunks.chunksFor(event).map(sseFrame).join('');
    }
  }

  private templateText(text: string): string {
    const breakBefore = !this.inTemplate && this.lastContent !== '' && !this.lastContent.endsWith('\n\n');
    this.inTemplate = true;
    return breakBefore ? `\n\n${text}` : text;
  }
}

/**
 * The whole OpenAI stream body: role frame, one frame per event, finish (+ usage) frames, `[DONE]`.
 * Errors pass through untouched; ChatService turns them into `sseErrorFrame`. One operator on purpose:
 * this runs once per upstream token.
 */
export function toOpenAiSse(identity: CompletionIdentity, includeUsage: boolean): OperatorFunction<ChatEvent, string> {
  return (events) =>
    new Observable<string>((subscriber) => {
      const encoder = new OpenAiSseEncoder(identity, includeUsage);
      subscriber.next(encoder.start());
      return events.subscribe({
        next: (event) => {
          const frame = encoder.encode(event);
          if (frame !== '') subscriber.next(frame);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          subscriber.next(SSE_DONE_FRAME);
          subscriber.complete();
        },
      });
    });
}
