import type { DecodedMessage, DeepSeekEvent } from './deepseek-event';
import { FormatAMapper } from './format-a-mapper';
import { isRecord, numberOrNull, parseJson, stringOrNull, type JsonRecord } from './json-value';
import { MessageState } from './message-state';
import { OnceLogger, type ParserLogger } from './parser-logger';
import { PatchMessageDecoder } from './patch-message-decoder';

const IGNORED_EVENTS = new Set(['update_session', 'finish']);

/**
 * One SSE event (name + data) → DeepSeekEvents, for Formats A, B and C alike; the format is read
 * from each payload's shape (§7.2), so nothing needs configuring.
 */
export class StreamEventDecoder {
  private readonly state: MessageState;
  private readonly patches: PatchMessageDecoder;
  private readonly formatA: FormatAMapper;
  private readonly log: OnceLogger;
  private bodySettled = false;

  constructor(onEvent: (event: DeepSeekEvent) => void, logger: ParserLogger, keepText = true) {
    this.log = new OnceLogger(logger);
    this.state = new MessageState(onEvent);
    this.patches = new PatchMessageDecoder(this.state, this.log, keepText);
    this.formatA = new FormatAMapper(this.state, keepText);
  }

  handle(event: string, data: string): void {
    if (event === 'message') {
      const token = bareStringToken(data);
      if (token !== null) return this.patches.applyBareString(token);
    }
    if (data === '[DONE]') return this.close();
    const payload = parseJson(data);
    if (!isRecord(payload)) {
      if (data !== '') this.log.debug(`unparsed:${event}`, `Ignored a non-object "${event}" payload`);
      return;
    }
    if (this.handledAsError(event, payload)) return;
    if (event === 'message') this.handleMessage(payload);
    else this.handleNamed(event, payload);
  }

  /** The body ended: a terminal `quasi_status` (or `auto_continue`) stands in for a missing status. */
  endBody(): void {
    if (this.bodySettled) return;
    this.bodySettled = true;
    this.state.settleStatus(this.patches.autoContinueRequested ? 'AUTO_CONTINUE' : null);
  }

  beginContinueRound(): void {
    this.endBody();
    this.bodySettled = false;
    this.state.beginBody();
    this.patches.beginBody();
  }

  get message(): DecodedMessage {
    const state = this.state;
    const text = state.format === 'A' ? this.formatA : this.patches.text(state.status);
    return {
      format: state.format,
      reasoning: text.reasoning,
      content: text.content,
      status: state.status,
      quasiStatus: state.quasiStatus,
      accumulatedTokenUsage: state.usage,
      requestMessageId: state.requestMessageId,
      responseMessageId: state.responseMessageId,
      title: state.title,
      searchResults: state.searchResults.map((result) => ({ ...result })),
    };
  }

  private handleMessage(payload: JsonRecord): void {
    if (Array.isArray(payload.choices)) this.formatA.handle(payload, payload.choices);
    else this.patches.applyFrame(payload);
  }

  private handleNamed(event: string, payload: JsonRecord): void {
    switch (event) {
      case 'ready':
        return this.state.ids(
          numberOrNull(payload.request_message_id),
          numberOrNull(payload.response_message_id),
          stringOrNull(payload.model_type) ?? undefined,
        );
      case 'title':
        if (typeof payload.content === 'string') this.state.setTitle(payload.content);
        return;
      case 'close':
        return this.close(payload.click_behavior === 'retry');
      case 'hint':
      case 'toast':
        return;
      default:
        if (!IGNORED_EVENTS.has(event)) this.log.debug(`event:${event}`, `Ignored unknown upstream event "${event}"`);
    }
  }

  /** §8.5: `{"type":"error"}` under any event name (toast included), or `{"error":…}`. */
  private handledAsError(event: string, payload: JsonRecord): boolean {
    if (payload.type === 'error') {
      const message = stringOrNull(payload.content) ?? stringOrNull(payload.msg) ?? stringOrNull(payload.message);
      this.state.emit({
        type: 'error',
        message: message ?? `upstream ${event} error`,
        ...(typeof payload.finish_reason === 'string' ? { finishReason: payload.finish_reason } : {}),
        ...(typeof payload.clear_response === 'boolean' ? { clearResponse: payload.clear_response } : {}),
      });
      return true;
    }
    if (payload.error === undefined || payload.error === null) return false;
    this.state.emit({ type: 'error', message: errorMessageOf(payload.error) });
    return true;
  }

  private close(retry = false): void {
    if (this.state.format === 'A') this.state.settleStatus('FINISHED');
    this.endBody();
    this.state.emit(retry ? { type: 'close', retry } : { type: 'close' });
  }
}

function errorMessageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (isRecord(error)) {
    const message = stringOrNull(error.message) ?? stringOrNull(error.msg);
    if (message !== null) return message;
  }
  return JSON.stringify(error);
}

/**
 * The dominant frame `{"v":"token"}` without escapes or control characters: the token, exactly
 * what JSON.parse would give. Null for anything else, which then takes the general path.
 */
export function bareStringToken(data: string): string | null {
  const end = data.length - 2;
  if (end < 6 || data.charCodeAt(end) !== 0x22 || data.charCodeAt(end + 1) !== 0x7d || !data.startsWith('{"v":"')) {
    return null;
  }
  for (let i = 6; i < end; i++) {
    const code = data.charCodeAt(i);
    if (code === 0x22 || code === 0x5c || code < 0x20) return null;
  }
  return data.slice(6, end);
}
