import { TERMINAL_STATUSES, type DeepSeekEvent, type MessageStatus, type SearchResult } from './deepseek-event';
import type { TextKind } from './emitted-text';

/**
 * The message-level values every format reports, and their events: each value is emitted only
 * when it changes, and `ids` once per HTTP body.
 */
export class MessageState {
  format: 'A' | 'B' | 'C' | null = null;
  status: MessageStatus | null = null;
  quasiStatus: MessageStatus | null = null;
  usage: number | null = null;
  requestMessageId: number | null = null;
  responseMessageId: number | null = null;
  title: string | null = null;
  searchResults: SearchResult[] = [];
  private searchSignature = '';
  private idsSent = false;

  constructor(readonly emit: (event: DeepSeekEvent) => void) {}

  beginBody(): void {
    this.idsSent = false;
    this.quasiStatus = null;
  }

  text(kind: TextKind, text: string): void {
    if (text !== '') this.emit({ type: kind, text });
  }

  ids(requestMessageId: number | null, responseMessageId: number | null, modelType?: string): void {
    this.requestMessageId = requestMessageId ?? this.requestMessageId;
    this.responseMessageId = responseMessageId ?? this.responseMessageId;
    if (this.idsSent || (requestMessageId === null && responseMessageId === null)) return;
    this.idsSent = true;
    this.emit({
      type: 'ids',
      requestMessageId: this.requestMessageId,
      responseMessageId: this.responseMessageId,
      ...(modelType === undefined ? {} : { modelType }),
    });
  }

  setStatus(status: MessageStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.emit({ type: 'status', status });
  }

  setUsage(totalTokens: number): void {
    if (totalTokens === this.usage) return;
    this.usage = totalTokens;
    this.emit({ type: 'usage', totalTokens });
  }

  setTitle(title: string): void {
    this.title = title;
    this.emit({ type: 'title', title });
  }

  /** An empty list never replaces a known one: a continue snapshot or a filter may drop the sources. */
  setSearchResults(results: SearchResult[]): void {
    if (results.length === 0) return;
    const signature = JSON.stringify(results);
    if (signature === this.searchSignature) return;
    this.searchSignature = signature;
    this.searchResults = results;
    this.emit({ type: 'search', results: results.map((result) => ({ ...result })) });
  }

  /** A body that ends on a terminal `quasi_status` alone finishes with it (§7.7). */
  settleStatus(fallback: MessageStatus | null): void {
    if (this.status !== null && TERMINAL_STATUSES.has(this.status)) return;
    if (this.quasiStatus !== null && TERMINAL_STATUSES.has(this.quasiStatus)) this.setStatus(this.quasiStatus);
    else if (fallback !== null) this.setStatus(fallback);
  }
}
