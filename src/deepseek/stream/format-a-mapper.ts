import type { MessageStatus, SearchResult } from './deepseek-event';
import { isRecord, numberOrNull, type JsonRecord } from './json-value';
import type { MessageState } from './message-state';
import { toSearchResults } from './search-results';

/** Format A (§7.3): `choices[].delta` chunks with per-chunk token counts, ended by `finish_reason` and `[DONE]`. */
export class FormatAMapper {
  reasoning = '';
  content = '';
  private usage = 0;
  private searchResults: SearchResult[] = [];

  /** @param keepText false: `reasoning` and `content` stay empty (the text is only emitted). */
  constructor(
    private readonly state: MessageState,
    private readonly keepText = true,
  ) {}

  handle(chunk: JsonRecord, choices: unknown[]): void {
    const state = this.state;
    state.format ??= 'A';
    state.ids(numberOrNull(chunk.parent_id), numberOrNull(chunk.message_id));
    let finishReason: string | null = null;
    for (const choice of choices) {
      if (isRecord(choice) && typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
    }
    // Text on the chunk that ends with a filter is the canned refusal replacing the answer (§8.6).
    const filtered = finishReason === 'content_filter';
    for (const choice of choices) {
      if (isRecord(choice) && isRecord(choice.delta)) this.applyDelta(choice.delta, filtered);
    }
    const chunkUsage = numberOrNull(chunk.chunk_token_usage);
    const promptUsage = numberOrNull(chunk.prompt_token_usage);
    if (chunkUsage !== null || promptUsage !== null) {
      this.usage += (chunkUsage ?? 0) + (promptUsage ?? 0);
      state.setUsage(this.usage);
    }
    if (finishReason !== null) state.setStatus(statusOfFinishReason(finishReason));
  }

  private applyDelta(delta: JsonRecord, filtered: boolean): void {
    if (Array.isArray(delta.search_results)) {
      const added = toSearchResults(delta.search_results, this.searchResults.length + 1);
      this.searchResults = [...this.searchResults, ...added];
      this.state.setSearchResults(this.searchResults);
    }
    const text = delta.content;
    if (typeof text !== 'string' || text === '') return;
    if (filtered) {
      this.content = text;
      this.state.text('template', text);
    } else if (delta.type === 'thinking') {
      if (this.keepText) this.reasoning += text;
      this.state.text('reasoning', text);
    } else if (delta.type === 'text' || delta.type === undefined) {
      if (this.keepText) this.content += text;
      this.state.text('content', text);
    }
  }
}

/** `length` is a cut answer (continuable, §7.7) and a filter keeps its meaning; the rest finish the message. */
function statusOfFinishReason(reason: string): MessageStatus {
  if (reason === 'length') return 'INCOMPLETE';
  return reason === 'content_filter' ? 'CONTENT_FILTER' : 'FINISHED';
}
