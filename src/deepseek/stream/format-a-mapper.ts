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

  constructor(private readonly state: MessageState) {}

  handle(chunk: JsonRecord, choices: unknown[]): void {
    const state = this.state;
    state.format ??= 'A';
    state.ids(numberOrNull(chunk.parent_id), numberOrNull(chunk.message_id));
    let finishReason: string | null = null;
    for (const choice of choices) {
      if (!isRecord(choice)) continue;
      if (isRecord(choice.delta)) this.applyDelta(choice.delta);
      if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
    }
    const chunkUsage = numberOrNull(chunk.chunk_token_usage);
    const promptUsage = numberOrNull(chunk.prompt_token_usage);
    if (chunkUsage !== null || promptUsage !== null) {
      this.usage += (chunkUsage ?? 0) + (promptUsage ?? 0);
      state.setUsage(this.usage);
    }
    if (finishReason !== null) state.setStatus(statusOfFinishReason(finishReason));
  }

  private applyDelta(delta: JsonRecord): void {
    if (Array.isArray(delta.search_results)) {
      const added = toSearchResults(delta.search_results, this.searchResults.length + 1);
      this.searchResults = [...this.searchResults, ...added];
      this.state.setSearchResults(this.searchResults);
    }
    const text = delta.content;
    if (typeof text !== 'string' || text === '') return;
    if (delta.type === 'thinking') {
      this.reasoning += text;
      this.state.text('reasoning', text);
    } else if (delta.type === 'text' || delta.type === undefined) {
      this.content += text;
      this.state.text('content', text);
    }
  }
}

/** `stop` and unknown reasons finish the message; only a filter keeps its own meaning. */
function statusOfFinishReason(reason: string): MessageStatus {
  return reason === 'content_filter' ? 'CONTENT_FILTER' : 'FINISHED';
}
