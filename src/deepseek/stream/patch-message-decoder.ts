import {
  advance,
  catchUp,
  DIVERGED,
  EmittedTextLedger,
  tailOf,
  textKindOfFragment,
  type EmittedText,
  type TextKind,
} from './emitted-text';
import { isRecord, numberOrNull, stringOrNull, type JsonRecord } from './json-value';
import type { MessageState } from './message-state';
import { PatchDocument, type PatchListener } from './patch-document';
import type { PatchPath } from './patch-path';
import type { OnceLogger } from './parser-logger';
import { searchResultsOf } from './search-results';
import { StickyPatches } from './sticky-patches';

const CONTENT_FILTER = 'CONTENT_FILTER';

/**
 * Formats B and C: applies patch frames to the document and turns their effects into events.
 * Appends to text emit their delta directly; any other change re-reads the document once per
 * frame (text catch-up, ids, search, usage, status), which also covers snapshots and BATCHes.
 */
export class PatchMessageDecoder implements PatchListener {
  private readonly document = new PatchDocument(this);
  private readonly patches = new StickyPatches(this.document);
  private readonly emitted = new EmittedTextLedger();
  private dirty = false;

  /**
   * @param keepText false: once emitted, text is dropped from the document (only a short tail stays, for
   * the identity check of the next append and the continue splice), so a long answer costs no memory;
   * `text()` then returns only those tails.
   */
  constructor(
    private readonly state: MessageState,
    private readonly log: OnceLogger,
    private readonly keepText = true,
  ) {}

  /** A continue round: new document and sticky state; what was emitted is remembered. */
  beginBody(): void {
    this.patches.reset();
  }

  applyFrame(frame: JsonRecord): void {
    this.patches.applyFrame(frame);
    if (this.dirty) this.sync();
  }

  applyBareString(token: string): void {
    this.patches.applyBareString(token);
    if (this.dirty) this.sync();
  }

  /** `response.auto_continue: true` asks for a continue round (§7.7). */
  get autoContinueRequested(): boolean {
    const response = this.document.response;
    return isRecord(response) && response.auto_continue === true;
  }

  /** The document's text: THINK contents, and RESPONSE contents plus templates once filtered (§7.6). */
  text(status: string | null): { reasoning: string; content: string } {
    const response = this.document.response;
    if (!isRecord(response)) return { reasoning: '', content: '' };
    let reasoning = stringOrNull(response.thinking_content) ?? '';
    let content = stringOrNull(response.content) ?? '';
    for (const fragment of Array.isArray(response.fragments) ? response.fragments : []) {
      if (!isRecord(fragment) || typeof fragment.content !== 'string') continue;
      const kind = textKindOfFragment(fragment.type);
      if (kind === 'reasoning') reasoning += fragment.content;
      else if (kind === 'content' || (kind === 'template' && status === CONTENT_FILTER)) content += fragment.content;
    }
    return { reasoning, content };
  }

  textAppended(path: PatchPath, holder: object, before: string, after: string, delta: string): void {
    const record = holder as JsonRecord;
    if (path.target === 'fragmentContent') {
      const kind = textKindOfFragment(record.type);
      if (kind === null) return;
      const entry = this.emitted.forFragmentId(record);
      if (entry === null) this.dirty = true;
      else this.emitAdvance(kind, entry, before, after, delta, record, 'content');
    } else if (path.target === 'thinkingField') {
      const entry = this.emitted.forField('thinking_content');
      this.emitAdvance('reasoning', entry, before, after, delta, record, 'thinking_content');
    } else if (path.target === 'answerField' && record.status !== CONTENT_FILTER) {
      this.emitAdvance('content', this.emitted.forField('content'), before, after, delta, record, 'content');
    } else {
      this.dirty = true;
    }
  }

  changed(): void {
    this.dirty = true;
    this.emitted.forgetLastFragment();
  }

  ignored(path: PatchPath, reason: string): void {
    this.log.debug(`ignored:${reason}:${path.raw}`, `Ignored an upstream patch at "${path.raw}": ${reason}`);
  }

  private emitAdvance(
    kind: TextKind,
    entry: EmittedText,
    before: string,
    after: string,
    delta: string,
    holder: JsonRecord,
    key: string,
  ): void {
    const text = advance(entry, before, after, delta);
    this.forgetEmitted(entry, after, holder, key);
    if (text === DIVERGED) this.diverged(kind);
    else this.state.text(kind, text);
  }

  /** `holder[key]` is where the document keeps `current` (null: leave the document alone). */
  private emitCatchUp(kind: TextKind, entry: EmittedText, current: string, holder: JsonRecord | null, key = ''): void {
    const text = catchUp(entry, current);
    if (holder) this.forgetEmitted(entry, current, holder, key);
    if (text === DIVERGED) this.diverged(kind);
    else this.state.text(kind, text);
  }

  /**
   * Without keepText, once everything `holder[key]` holds has been emitted, the document and the ledger
   * share the same short tail, so the next append is still an identity. A text that lags behind what was
   * emitted stays as it is: the next append must still be caught up against it.
   */
  private forgetEmitted(entry: EmittedText, current: string, holder: JsonRecord, key: string): void {
    if (this.keepText || holder[key] !== current) return;
    const caughtUp = entry.text === current || (entry.length === current.length && current.endsWith(entry.text));
    if (!caughtUp) return;
    entry.text = tailOf(entry.text);
    holder[key] = entry.text;
  }

  private diverged(kind: TextKind): void {
    this.log.warn(`diverged:${kind}`, `Upstream restated ${kind} text that differs from what was already streamed`);
  }

  private sync(): void {
    this.dirty = false;
    const response = this.document.response;
    if (!isRecord(response)) return;
    const state = this.state;
    if (state.format === null) state.format = formatOf(response);
    const messageId = numberOrNull(response.message_id);
    if (messageId !== null) state.ids(numberOrNull(response.parent_id), messageId);
    const results = searchResultsOf(response);
    if (results !== null) state.setSearchResults(results);
    this.syncText(response);
    const usage = numberOrNull(response.accumulated_token_usage);
    if (usage !== null) state.setUsage(usage);
    state.quasiStatus = stringOrNull(response.quasi_status) ?? state.quasiStatus;
    const status = stringOrNull(response.status);
    if (status !== null) state.setStatus(status);
  }

  private syncText(response: JsonRecord): void {
    if (typeof response.thinking_content === 'string') {
      const entry = this.emitted.forField('thinking_content');
      this.emitCatchUp('reasoning', entry, response.thinking_content, response, 'thinking_content');
    }
    if (typeof response.content === 'string') this.syncAnswerField(response, response.content);
    if (!Array.isArray(response.fragments)) return;
    response.fragments.forEach((fragment: unknown, index) => {
      if (!isRecord(fragment)) return;
      const kind = textKindOfFragment(fragment.type);
      if (kind === null) {
        const type = String(fragment.type);
        if (!KNOWN_METADATA_FRAGMENTS.has(type)) this.log.debug(`fragment:${type}`, `Unknown fragment type ${type}`);
        return;
      }
      const content = typeof fragment.content === 'string' ? fragment.content : '';
      this.emitCatchUp(kind, this.emitted.forFragment(fragment, index), content, fragment, 'content');
    });
  }

  /** Format B has no template fragment: once filtered (or replaced outright), `content` is the canned text. */
  private syncAnswerField(response: JsonRecord, content: string): void {
    const answer = this.emitted.forField('content');
    if (response.status !== CONTENT_FILTER) {
      const text = catchUp(answer, content);
      if (text !== DIVERGED) {
        this.forgetEmitted(answer, content, response, 'content');
        return this.state.text('content', text);
      }
    } else if (content === answer.text) {
      return;
    }
    answer.text = content;
    answer.length = content.length;
    this.emitCatchUp('template', this.emitted.forField('template'), content, null);
  }
}

const KNOWN_METADATA_FRAGMENTS = new Set(['TIP', 'TOOL_SEARCH', 'TOOL_OPEN']);

function formatOf(response: JsonRecord): 'B' | 'C' | null {
  if ('fragments' in response) return 'C';
  return 'content' in response || 'thinking_content' in response ? 'B' : null;
}
