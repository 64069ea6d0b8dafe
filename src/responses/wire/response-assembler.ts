import type { ChatEvent, FinishReason } from '../../chat/events/chat-event';
import type { ChatUsage } from '../../chat/usage';
import { newCustomCallItemId, newFunctionCallItemId, newMessageItemId, newReasoningItemId } from './response-ids';
import type {
  MessageItem,
  OutputItem,
  ReasoningItem,
  ResponseEcho,
  ResponseObject,
  ResponseUsage,
  StreamEvent,
} from './responses-types';

export interface ResponseIdentity {
  id: string;
  createdAt: number;
}

/**
 * Turns an answer's ChatEvents into Responses output items, one after another (never interleaved), and
 * the stream events that build them. The same instance serves a stream (every event returned) and a
 * non-stream body (events ignored, `response()` read at the end).
 */
export class ResponseAssembler {
  private readonly items: OutputItem[] = [];
  /** The item receiving text deltas, if one is open. */
  private open: ReasoningItem | MessageItem | null = null;
  private usage: ResponseUsage | null = null;
  private finish: FinishReason | null = null;
  private filtered = false;

  constructor(
    private readonly identity: ResponseIdentity,
    private readonly echo: ResponseEcho,
    /** A stream cannot take back what it sent: a content filter's template then follows the text. */
    private readonly streaming: boolean,
  ) {}

  /** `response.created` and `response.in_progress`, before any item. */
  opening(): StreamEvent[] {
    const snapshot = this.response('in_progress');
    return [
      { type: 'response.created', response: snapshot },
      { type: 'response.in_progress', response: snapshot },
    ];
  }

  add(event: ChatEvent): StreamEvent[] {
    switch (event.type) {
      case 'reasoning':
        return this.text('reasoning', event.text);
      case 'content':
        return this.text('message', event.text);
      case 'template':
        return this.template(event.text);
      case 'reasoningReplaced':
        this.replaceReasoning(event.text);
        return [];
      case 'toolCall':
        return [...this.closeOpen(), ...this.toolCall(event)];
      case 'finish':
        this.finish = event.reason;
        this.usage = toResponseUsage(event.usage);
        return this.closeOpen();
      case 'sources':
        return [];
    }
  }

  /** The terminal event: `response.completed`, or `response.incomplete` for a limit the client set. */
  closing(): StreamEvent[] {
    const status = this.finalStatus();
    return [{ type: `response.${status}`, response: this.response(status) }];
  }

  /** The failure event with what was built so far; `code` and `message` as clients read them. */
  failed(code: string, message: string): StreamEvent {
    const response = this.response('failed');
    response.error = { code, message };
    return { type: 'response.failed', response };
  }

  /** The final Response object (the non-stream body, and what a store keeps). */
  final(): ResponseObject {
    return this.response(this.finalStatus());
  }

  private finalStatus(): 'completed' | 'incomplete' {
    // A length cut is an error to Codex (it retries an incomplete response): only a limit the client set is one.
    return this.finish === 'length' && this.echo.max_output_tokens !== null ? 'incomplete' : 'completed';
  }

  private response(status: ResponseObject['status']): ResponseObject {
    const done = status === 'completed' || status === 'incomplete';
    return {
      id: this.identity.id,
      object: 'response',
      created_at: this.identity.createdAt,
      status,
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      ...this.echo,
      output: structuredClone(this.items),
      // Absent, not null, until it is known: the published schema has no null usage.
      ...(done && this.usage ? { usage: this.usage } : {}),
    };
  }

  private text(kind: 'reasoning' | 'message', text: string): StreamEvent[] {
    const events = this.open?.type === kind ? [] : [...this.closeOpen(), ...this.openItem(kind)];
    const item = this.open!;
    const outputIndex = this.items.length - 1;
    if (item.type === 'reasoning') {
      item.summary[0].text += text;
      events.push({
        type: 'response.reasoning_summary_text.delta',
        item_id: item.id,
        output_index: outputIndex,
        summary_index: 0,
        delta: text,
      });
    } else {
      item.content[0].text += text;
      events.push({
        type: 'response.output_text.delta',
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        delta: text,
        logprobs: [],
      });
    }
    return events;
  }

  private template(text: string): StreamEvent[] {
    if (this.streaming) {
      const sent = this.lastMessage()?.content[0].text ?? '';
      const breakBefore = !this.filtered && sent !== '' && !sent.endsWith('\n\n');
      this.filtered = true;
      return this.text('message', breakBefore ? `\n\n${text}` : text);
    }
    // A non-stream answer is the template alone.
    const message = this.lastMessage();
    if (!this.filtered && message) message.content[0].text = '';
    this.filtered = true;
    return this.text('message', text);
  }

  private lastMessage(): MessageItem | undefined {
    return this.items.filter((item): item is MessageItem => item.type === 'message').at(-1);
  }

  private replaceReasoning(text: string): void {
    if (this.streaming) return;
    const reasoning = this.items.find((item): item is ReasoningItem => item.type === 'reasoning');
    if (reasoning) reasoning.summary[0].text = text;
  }

  private openItem(kind: 'reasoning' | 'message'): StreamEvent[] {
    const outputIndex = this.items.length;
    if (kind === 'reasoning') {
      const item: ReasoningItem = {
        id: newReasoningItemId(),
        type: 'reasoning',
        summary: [],
        encrypted_content: null,
        status: 'in_progress',
      };
      const added = { type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) };
      item.summary.push({ type: 'summary_text', text: '' });
      this.items.push(item);
      this.open = item;
      return [
        added,
        {
          type: 'response.reasoning_summary_part.added',
          item_id: item.id,
          output_index: outputIndex,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        },
      ];
    }
    const item: MessageItem = {
      id: newMessageItemId(),
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    const added = { type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) };
    item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
    this.items.push(item);
    this.open = item;
    return [
      added,
      {
        type: 'response.content_part.added',
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      },
    ];
  }

  private closeOpen(): StreamEvent[] {
    const item = this.open;
    if (!item) return [];
    this.open = null;
    item.status = 'completed';
    const outputIndex = this.items.indexOf(item);
    const done = { type: 'response.output_item.done', output_index: outputIndex, item: structuredClone(item) };
    if (item.type === 'reasoning') {
      const { text } = item.summary[0];
      const at = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
      return [
        { type: 'response.reasoning_summary_text.done', ...at, text },
        { type: 'response.reasoning_summary_part.done', ...at, part: { type: 'summary_text', text } },
        done,
      ];
    }
    const { text } = item.content[0];
    const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
    return [
      { type: 'response.output_text.done', ...at, text, logprobs: [] },
      { type: 'response.content_part.done', ...at, part: structuredClone(item.content[0]) },
      done,
    ];
  }

  private toolCall(call: Extract<ChatEvent, { type: 'toolCall' }>): StreamEvent[] {
    const outputIndex = this.items.length;
    if (call.kind === 'custom') {
      const input = customInput(call.argumentsJson);
      const item = { id: newCustomCallItemId(), type: 'custom_tool_call' as const, call_id: call.id, name: call.name };
      this.items.push({ ...item, status: 'completed', input });
      const at = { item_id: item.id, output_index: outputIndex };
      return [
        {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', input: '' },
        },
        { type: 'response.custom_tool_call_input.delta', ...at, delta: input },
        { type: 'response.custom_tool_call_input.done', ...at, input },
        { type: 'response.output_item.done', output_index: outputIndex, item: { ...item, status: 'completed', input } },
      ];
    }
    const args = call.argumentsJson;
    const item = { id: newFunctionCallItemId(), type: 'function_call' as const, call_id: call.id, name: call.name };
    this.items.push({ ...item, status: 'completed', arguments: args });
    const at = { item_id: item.id, output_index: outputIndex };
    return [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      },
      { type: 'response.function_call_arguments.delta', ...at, delta: args },
      { type: 'response.function_call_arguments.done', ...at, name: call.name, arguments: args },
      {
        type: 'response.output_item.done',
        output_index: outputIndex,
        item: { ...item, status: 'completed', arguments: args },
      },
    ];
  }
}

/** A custom call's ChatEvent carries `{"input": "<raw text>"}`; the Responses item carries the raw text. */
function customInput(argumentsJson: string): string {
  const parsed: unknown = JSON.parse(argumentsJson);
  const input = typeof parsed === 'object' && parsed !== null ? (parsed as { input?: unknown }).input : undefined;
  return typeof input === 'string' ? input : '';
}

export function toResponseUsage(usage: ChatUsage): ResponseUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens ?? 0, cache_write_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}
