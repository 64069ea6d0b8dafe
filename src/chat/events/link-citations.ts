import type { OperatorFunction } from 'rxjs';
import type { SearchResult } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from './chat-event';
import { MarkerName, replaceMarkers } from './citation-marker';
import { Emit, EventStage, StageFactory, stageOperator } from './stage-operator';

export interface CitationOptions {
  /** No source list after the answer. */
  silent: boolean;
}

interface Source {
  number: number;
  title: string;
  url: string;
}

export const SOURCES_HEADING = '**Sources**';

/**
 * Turns citation markers in the answer into markdown links to their search result (or removes them when
 * there is no such result), then, unless silent, appends the list of cited results (all results when
 * none was cited). A marker split across deltas is held back until it is complete. A content filter's
 * template voids the answer, and with it what it cited.
 */
class CitationStage implements EventStage<ChatEvent, ChatEvent> {
  private results: readonly SearchResult[] = [];
  private held = '';
  /** Seeing `[reference:0]` means references count from 0 (a peer's rule; the base is unsettled). */
  private zeroBasedReferences = false;
  private filtered = false;
  private readonly cited = new Map<number, Source>();
  private readonly link = (name: MarkerName, number: number) => this.linkFor(name, number);

  constructor(private readonly options: CitationOptions) {}

  next(event: ChatEvent, emit: Emit<ChatEvent>): void {
    switch (event.type) {
      case 'sources':
        this.results = event.results;
        emit(event);
        return;
      case 'content':
        this.rewrite(event, emit);
        return;
      case 'template':
        this.held = '';
        this.filtered = true;
        emit(event);
        return;
      case 'finish':
        this.flush(emit);
        this.emitSourceList(emit);
        emit(event);
        return;
      case 'reasoning':
      case 'reasoningReplaced':
      case 'toolCall':
        emit(event);
        return;
    }
  }

  complete(emit: Emit<ChatEvent>): void {
    this.flush(emit);
  }

  private rewrite(event: Extract<ChatEvent, { type: 'content' }>, emit: Emit<ChatEvent>): void {
    if (this.held === '' && !event.text.includes('[')) {
      emit(event);
      return;
    }
    const scan = replaceMarkers(this.held + event.text, this.link);
    this.held = scan.held;
    if (scan.text) emit({ type: 'content', text: scan.text });
  }

  private flush(emit: Emit<ChatEvent>): void {
    if (this.held) emit({ type: 'content', text: this.held });
    this.held = '';
  }

  private linkFor(name: MarkerName, number: number): string {
    if (name === 'reference' && number === 0) this.zeroBasedReferences = true;
    const source = this.sourceNumbered(name === 'reference' && this.zeroBasedReferences ? number + 1 : number);
    if (!source) return '';
    this.cited.set(source.number, source);
    return `[[${source.number}]](${source.url})`;
  }

  private sourceNumbered(number: number): Source | null {
    const index = this.results.findIndex((result, i) => (result.citeIndex ?? i + 1) === number);
    return index < 0 ? null : toSource(this.results[index], number);
  }

  private emitSourceList(emit: Emit<ChatEvent>): void {
    if (this.options.silent || this.filtered) return;
    const sources =
      this.cited.size > 0
        ? [...this.cited.values()].sort((a, b) => a.number - b.number)
        : this.results.map((result, i) => toSource(result, result.citeIndex ?? i + 1)).filter((s) => s !== null);
    if (sources.length === 0) return;
    const lines = sources.map((source) => `- [${source.number}] [${source.title}](${source.url})`);
    emit({ type: 'content', text: `\n\n${SOURCES_HEADING}\n\n${lines.join('\n')}` });
  }
}

/** Only http(s) links, with the characters that would end a markdown link destination escaped. */
function toSource(result: SearchResult, number: number): Source | null {
  if (!/^https?:\/\//i.test(result.url)) return null;
  const url = result.url.replace(/[()<>\s]/g, (c) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c)));
  const title =
    result.title
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/[[\]\\]/g, '\\$&') || url;
  return { number, title, url };
}

export function citationStage(options: CitationOptions): StageFactory<ChatEvent, ChatEvent> {
  return () => new CitationStage(options);
}

export function linkCitations(options: CitationOptions): OperatorFunction<ChatEvent, ChatEvent> {
  return stageOperator(citationStage(options));
}
