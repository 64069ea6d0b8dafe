import type { ChatEvent, FinishReason } from '../chat/events/chat-event';
import type { ChatUsage } from '../chat/usage';
import { OfficialApiError } from './official-api-error';

/** The parts of a `chat.completion.chunk` of the official API that we read. */
interface OfficialChunk {
  choices?: {
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: OfficialUsage | null;
  error?: { message?: string };
}

interface OfficialUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_cache_hit_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

const FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'content_filter', 'tool_calls']);

/**
 * The official API's SSE `data` payloads → our ChatEvents. Reasoning and text go on as they come; a tool
 * call is one event once its arguments are complete (at the finish), as the web path gives them; `finish`
 * carries the API's own usage. `custom` names the tools the client declared as free-text ones: their
 * calls carry `{"input": …}`.
 */
export class OfficialStreamDecoder {
  private readonly calls: PendingCall[] = [];
  private finishReason: string | null = null;
  private usage: ChatUsage | null = null;
  private done = false;

  constructor(private readonly customTools: ReadonlySet<string> = new Set()) {}

  /** The events of one `data:` payload (none for `[DONE]`). */
  decode(data: string): ChatEvent[] {
    if (data === '[DONE]') {
      this.done = true;
      return [];
    }
    let chunk: OfficialChunk;
    try {
      chunk = JSON.parse(data) as OfficialChunk;
    } catch {
      throw new OfficialApiError('bad_response', 'The official API sent a stream frame that is not JSON.');
    }
    if (chunk.error) {
      throw new OfficialApiError(
        'server_error',
        `The official API failed mid-answer: ${chunk.error.message ?? 'no message'}`,
      );
    }
    if (chunk.usage) this.usage = toUsage(chunk.usage);
    const events: ChatEvent[] = [];
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (delta.reasoning_content) events.push({ type: 'reasoning', text: delta.reasoning_content });
      if (delta.content) events.push({ type: 'content', text: delta.content });
      for (const piece of delta.tool_calls ?? []) this.addCallPiece(piece);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return events;
  }

  /** The end of the body: the calls and the `finish`, or the error of an answer cut short. */
  end(fallbackUsage: () => ChatUsage): ChatEvent[] {
    if (this.finishReason === null) {
      throw new OfficialApiError('incomplete', 'The official API ended the answer before it finished.');
    }
    if (this.finishReason === 'insufficient_system_resource') {
      throw new OfficialApiError('overloaded', 'The official API stopped the answer: insufficient system resources.');
    }
    // An answer cut by `max_tokens` may end inside a call's arguments: only whole calls go out, and the
    // finish says `length`, as the API did.
    const cut = this.finishReason === 'length';
    const calls = cut ? this.calls.filter((call) => isJsonObject(call.arguments)) : this.calls;
    const events: ChatEvent[] = calls.map((call, index) => ({
      type: 'toolCall',
      index,
      id: call.id,
      name: call.name,
      kind: this.customTools.has(call.name) ? 'custom' : 'function',
      argumentsJson: this.customTools.has(call.name) ? customArguments(call.arguments) : objectJson(call.arguments),
    }));
    const reason: FinishReason = FINISH_REASONS.has(this.finishReason) ? (this.finishReason as FinishReason) : 'stop';
    events.push({
      type: 'finish',
      reason: calls.length > 0 && !cut ? 'tool_calls' : reason,
      usage: this.usage ?? fallbackUsage(),
    });
    return events;
  }

  /** `[DONE]` arrived. */
  get finished(): boolean {
    return this.done;
  }

  private addCallPiece(
    piece: NonNullable<NonNullable<NonNullable<OfficialChunk['choices']>[number]['delta']>['tool_calls']>[number],
  ): void {
    const index = piece.index ?? this.calls.length;
    const call = (this.calls[index] ??= { id: '', name: '', arguments: '' });
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.name += piece.function.name;
    if (piece.function?.arguments) call.arguments += piece.function.arguments;
  }
}

function toUsage(usage: OfficialUsage): ChatUsage {
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return {
    promptTokens,
    completionTokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    totalTokens: usage.total_tokens ?? promptTokens + completionTokens,
    cachedTokens: usage.prompt_cache_hit_tokens ?? usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** A function call's arguments as a JSON object's text ("{}" for none; kept as sent when not an object). */
function objectJson(text: string): string {
  return text.trim() === '' ? '{}' : text;
}

/** A custom tool's call: `{"input": "<text>"}`, however the model filled the one-string function. */
function customArguments(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { input?: unknown }).input === 'string') {
      return JSON.stringify({ input: (parsed as { input: string }).input });
    }
  } catch {
    // Not JSON: the text is the input.
  }
  return JSON.stringify({ input: text });
}
