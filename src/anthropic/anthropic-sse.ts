import { Observable, type OperatorFunction } from 'rxjs';
import type { ApiError } from '../common/errors/api-error';
import { toAnthropicErrorBody } from '../common/errors/anthropic-error-body';
import type { ChatEvent } from '../chat/events/chat-event';
import { anthropicToolUseId, thinkingSignature } from './anthropic-ids';
import type { MessageIdentity } from './anthropic-message-aggregator';
import { anthropicStop } from './anthropic-stop-reason';
import { toAnthropicUsage } from './anthropic-usage';
import type { AnthropicContentBlock, AnthropicDelta, AnthropicStreamEvent } from './anthropic-types';

/** Every Anthropic event names its type twice: clients skip an event without its `event:` line. */
export function anthropicFrame(event: { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const ANTHROPIC_PING_FRAME = anthropicFrame({ type: 'ping' });

export function anthropicErrorFrame(error: ApiError): string {
  return anthropicFrame(toAnthropicErrorBody(error));
}

type OpenBlock = 'thinking' | 'text' | 'tool_use' | null;

/**
 * ChatEvent → Anthropic stream events: `message_start`, then one content block after the other (index
 * 0, 1, 2…: thinking, text, each tool call), `message_delta` with the stop reason and usage, `message_stop`.
 * A thinking block gets its signature right before it closes.
 */
export class AnthropicSseEncoder {
  private index = -1;
  private open: OpenBlock = null;
  private thinking = '';
  private lastText = '';
  private inTemplate = false;

  constructor(
    private readonly identity: MessageIdentity,
    private readonly promptTokens: number,
  ) {}

  start(): string {
    return frame({
      type: 'message_start',
      message: {
        ...this.identity,
        type: 'message',
        role: 'assistant',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.promptTokens, output_tokens: 0 },
      },
    });
  }

  /** The frames for one event; '' when it has none. */
  encode(event: ChatEvent): string {
    switch (event.type) {
      case 'reasoning': {
        const opening = this.into('thinking');
        this.thinking += event.text;
        return opening + this.textDelta('thinking_delta', event.text);
      }
      case 'content':
        this.lastText = event.text;
        return this.into('text') + this.textDelta('text_delta', event.text);
      case 'template':
        return this.into('text') + this.textDelta('text_delta', this.templateText(event.text));
      case 'toolCall': {
        const block: AnthropicContentBlock = {
          type: 'tool_use',
          id: anthropicToolUseId(event.id),
          name: event.name,
          input: {},
        };
        const opening = this.close() + this.startBlock(block);
        this.open = 'tool_use';
        return opening + this.delta({ type: 'input_json_delta', partial_json: event.argumentsJson }) + this.close();
      }
      case 'finish':
        return (
          this.close() +
          frame({
            type: 'message_delta',
            delta: anthropicStop(event),
            usage: toAnthropicUsage(event.usage),
          }) +
          frame({ type: 'message_stop' })
        );
      case 'sources':
      case 'reasoningReplaced':
        return '';
    }
  }

  /** Closes the open block unless it is already of `kind`, then opens one of `kind`. */
  private into(kind: 'thinking' | 'text'): string {
    if (this.open === kind) return '';
    const closing = this.close();
    const block: AnthropicContentBlock =
      kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
    this.open = kind;
    if (kind === 'thinking') this.thinking = '';
    return closing + this.startBlock(block);
  }

  private startBlock(block: AnthropicContentBlock): string {
    this.index++;
    return frame({ type: 'content_block_start', index: this.index, content_block: block });
  }

  private delta(delta: AnthropicDelta): string {
    return frame({ type: 'content_block_delta', index: this.index, delta });
  }

  /**
   * A text or thinking delta, once per upstream token: the same bytes as `delta()` (pinned by the spec),
   * written around `JSON.stringify(text)` without building the event.
   */
  private textDelta(type: 'text_delta' | 'thinking_delta', text: string): string {
    const field = type === 'text_delta' ? 'text' : 'thinking';
    return (
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":${this.index},` +
      `"delta":{"type":"${type}","${field}":${JSON.stringify(text)}}}\n\n`
    );
  }

  /** Ends the current block (a thinking block with its signature first); '' when none is open. */
  private close(): string {
    if (this.open === null) return '';
    const signature =
      this.open === 'thinking'
        ? this.delta({ type: 'signature_delta', signature: thinkingSignature(this.thinking) })
        : '';
    this.open = null;
    return signature + frame({ type: 'content_block_stop', index: this.index });
  }

  /** A stream cannot take back the text a filter voided: its template follows in a new paragraph. */
  private templateText(text: string): string {
    const breakBefore = !this.inTemplate && this.lastText !== '' && !this.lastText.endsWith('\n\n');
    this.inTemplate = true;
    return breakBefore ? `\n\n${text}` : text;
  }
}

function frame(event: AnthropicStreamEvent): string {
  return anthropicFrame(event);
}

/** The whole stream body; errors pass through (ChatService writes the encoder's error frame). */
export function toAnthropicSse(identity: MessageIdentity, promptTokens: number): OperatorFunction<ChatEvent, string> {
  return (events) =>
    new Observable<string>((subscriber) => {
      const encoder = new AnthropicSseEncoder(identity, promptTokens);
      subscriber.next(encoder.start());
      return events.subscribe({
        next: (event) => {
          const frames = encoder.encode(event);
          if (frames !== '') subscriber.next(frames);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
