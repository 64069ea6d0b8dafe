import { ParameterValueReader } from './parameter-value-reader';
import type { AliasTable } from './tool-markup-aliases';
import type { EmitMarkup, ParsedInvoke } from './tool-markup-events';
import { isTagSpace, MarkupTag, scanTag, TagMask, tagBit } from './tool-markup-tags';
import type { MalformedReason } from './tool-types';

/** What one read of the block stopped on. */
type BlockStep = 'need-more' | 'invoke' | 'closed' | 'failed';

type Place = 'between' | 'in-invoke' | 'value';

/** Where the parser goes after `readBlock`: still in the block (chunk used up), plain text, or after it. */
export type BlockExit = 'block' | 'text' | 'after';

const BETWEEN_TAGS: TagMask = tagBit('invoke', false) | tagBit('wrapper', true) | tagBit('wrapper', false);
const IN_INVOKE_TAGS: TagMask =
  tagBit('parameter', false) | tagBit('invoke', true) | tagBit('wrapper', true) | tagBit('parameter', true);

/**
 * The BLOCK state of the markup parser: everything from an opening wrapper (or, for a provisional block,
 * a marked `invoke`) to the wrapper closer. Reads whatever part of a chunk it can; the parser carries the
 * unread tail (a tag cut by the chunk boundary) into the next call.
 */
export class ToolBlockReader {
  /** Where `read` stopped: just past what it consumed. */
  position = 0;
  failure: MalformedReason | null = null;
  provisional = false;
  invokeSeen = false;
  /** The invokes read so far in this block. */
  readonly invokes: ParsedInvoke[] = [];
  private rawParts: string[] = [];
  private rawLength = 0;
  private openerLength = 0;
  private place: Place = 'between';
  private invoke: ParsedInvoke | null = null;
  private parameter: { name: string; stringAttribute: string | null } | null = null;
  private readonly value: ParameterValueReader;
  /** Text a failed mention or provisional block hands back to be read as plain text. */
  refeed: string | null = null;
  private afterBlock: 'after' | 'text' = 'after';
  private releaseRequested = false;

  constructor(
    private readonly table: AliasTable,
    private readonly maxChars: number,
  ) {
    this.value = new ParameterValueReader(table, (part) => this.keepRaw(part));
  }

  /** From an `invoke` handler: the block goes out as text at once; the rest is read as text. */
  releaseAsText(): void {
    this.releaseRequested = true;
  }

  /** From an `invoke` handler: when this block closes, read on as plain text (no after-block rules). */
  resumeTextAfterBlock(): void {
    this.afterBlock = 'text';
  }

  /** Starts a block at its opener (a wrapper, or a marked invoke for a provisional block). */
  begin(opener: MarkupTag, openerText: string): void {
    this.rawParts = [];
    this.rawLength = 0;
    this.invokes.length = 0;
    this.failure = null;
    this.invokeSeen = false;
    this.provisional = opener.element === 'invoke';
    this.place = 'between';
    this.afterBlock = 'after';
    this.releaseRequested = false;
    this.keepRaw(openerText);
    this.openerLength = openerText.length;
    if (this.provisional) this.openInvoke(opener);
  }

  raw(): string {
    return this.rawParts.join('');
  }

  /**
   * Reads the block on from `from`, emitting invokes (a provisional block holds them until its wrapper
   * closer). `position` says where reading stopped; `refeed` holds text to read again as plain text.
   */
  readBlock(input: string, from: number, emit: EmitMarkup): BlockExit {
    this.refeed = null;
    for (let at = from; ; at = this.position) {
      switch (this.read(input, at)) {
        case 'need-more':
          return 'block';
        case 'invoke':
          if (!this.provisional && this.emitInvokes([this.invokes[this.invokes.length - 1]], emit)) {
            return this.sendRawAsText(emit);
          }
          continue;
        case 'closed':
          if (!this.invokeSeen) return this.notABlock(emit);
          if (this.provisional && this.emitInvokes(this.invokes, emit)) return this.sendRawAsText(emit);
          emit({ type: 'blockEnd', closed: true });
          return this.afterBlock;
        case 'failed':
          if (this.provisional || !this.invokeSeen) return this.notABlock(emit);
          emit({ type: 'malformed', reason: this.failure ?? 'truncated', raw: this.raw() });
          return 'text';
      }
    }
  }

  /** The stream ended inside the block; returns text to read as plain text when it was not a block. */
  endBlock(tail: string, emit: EmitMarkup): string | null {
    if (this.acceptAtEnd(tail)) {
      emit({ type: 'blockEnd', closed: false });
      return null;
    }
    if (this.provisional || !this.invokeSeen) {
      this.notABlock(emit);
      return (this.refeed ?? '') + tail;
    }
    emit({ type: 'malformed', reason: this.failure ?? 'truncated', raw: this.raw() + tail });
    return null;
  }

  /** Emits invokes until a handler asks for the block as text; true when it did. */
  emitInvokes(invokes: readonly ParsedInvoke[], emit: EmitMarkup): boolean {
    for (const invoke of invokes) {
      emit({ type: 'invoke', invoke });
      if (this.releaseRequested) {
        this.releaseRequested = false;
        return true;
      }
    }
    return false;
  }

  private sendRawAsText(emit: EmitMarkup): BlockExit {
    emit({ type: 'text', text: this.raw() });
    return 'text';
  }

  /** A mention or an unconfirmed invoke: the opener is text, and what followed is read again as text. */
  private notABlock(emit: EmitMarkup): BlockExit {
    const raw = this.raw();
    emit({ type: 'text', text: raw.slice(0, this.openerLength) });
    this.refeed = raw.slice(this.openerLength);
    return 'text';
  }

  private read(text: string, from: number): BlockStep {
    let at = from;
    while (at < text.length) {
      if (this.rawLength > this.maxChars) return this.fail('over_cap', at);
      if (this.place === 'value') {
        const next = this.value.read(text, at);
        if (next < 0) return this.stop('need-more', this.value.position);
        this.closeParameter();
        at = next;
        continue;
      }
      const spaceEnd = skipSpaces(text, at);
      if (spaceEnd > at) this.keepRaw(text.slice(at, spaceEnd));
      at = spaceEnd;
      if (at >= text.length) break;
      if (text.charCodeAt(at) !== 0x3c) return this.fail('unexpected_text', at);
      const scan = scanTag(text, at, this.table, this.place === 'between' ? BETWEEN_TAGS : IN_INVOKE_TAGS);
      if (scan === 'partial' || scan === 'partial-open') return this.stop('need-more', at);
      if (scan === 'no') return this.fail('unexpected_text', at);
      this.keepRaw(text.slice(at, scan.end));
      at = scan.end;
      const step = this.onTag(scan);
      if (step === 'failed') return this.fail(this.failure ?? 'mismatched_tag', at);
      if (step !== null) return this.stop(step, at);
    }
    return this.stop('need-more', text.length);
  }

  /**
   * The stream ended inside the block. True when only the wrapper closer is missing (`tail`, the carried
   * text, is blank or the start of that closer); otherwise `failure` says why the block fails closed.
   */
  private acceptAtEnd(tail: string): boolean {
    if (this.place === 'between' && this.invokeSeen && !this.provisional) {
      const trimmed = tail.trimStart();
      if (trimmed === '') return true;
      const scan = scanTag(trimmed, 0, this.table, tagBit('wrapper', true));
      if (scan === 'partial' || scan === 'partial-open') return true;
    }
    this.failure = this.place === 'value' && this.value.insideCdata ? 'unclosed_cdata' : 'truncated';
    return false;
  }

  private onTag(tag: MarkupTag): BlockStep | 'failed' | null {
    if (this.place === 'between') {
      if (tag.element === 'wrapper' && tag.closing) return 'closed';
      if (tag.element === 'invoke' && !tag.closing) return this.openInvoke(tag);
      return 'failed';
    }
    if (tag.element === 'invoke' && tag.closing) return this.closeInvoke();
    if (tag.element === 'parameter' && !tag.closing) {
      if (tag.name === null) return this.failWith('missing_name');
      this.parameter = { name: tag.name, stringAttribute: tag.stringAttribute };
      this.value.start();
      this.place = 'value';
      if (tag.selfClosing) this.closeParameter();
      return null;
    }
    return 'failed';
  }

  private openInvoke(tag: MarkupTag): BlockStep | 'failed' | null {
    this.invokeSeen = true;
    if (tag.name === null) return this.failWith('missing_name');
    this.invoke = { name: tag.name, parameters: [] };
    this.place = 'in-invoke';
    return tag.selfClosing ? this.closeInvoke() : null;
  }

  private closeInvoke(): BlockStep {
    if (this.invoke !== null) this.invokes.push(this.invoke);
    this.invoke = null;
    this.place = 'between';
    return 'invoke';
  }

  private closeParameter(): void {
    const value = this.value.finish();
    const parameter = this.parameter;
    this.parameter = null;
    this.place = 'in-invoke';
    if (parameter === null || this.invoke === null) return;
    const attribute = parameter.stringAttribute;
    const stringAttribute = attribute === 'true' || attribute === 'false' ? attribute : null;
    this.invoke.parameters.push({ name: parameter.name, stringAttribute, ...value });
  }

  private keepRaw(part: string): void {
    this.rawParts.push(part);
    this.rawLength += part.length;
  }

  private failWith(reason: MalformedReason): 'failed' {
    this.failure = reason;
    return 'failed';
  }

  private fail(reason: MalformedReason, position: number): BlockStep {
    this.failure = reason;
    return this.stop('failed', position);
  }

  private stop(step: BlockStep, position: number): BlockStep {
    this.position = position;
    return step;
  }
}

function skipSpaces(text: string, from: number): number {
  let at = from;
  while (at < text.length && isTagSpace(text.charCodeAt(at))) at++;
  return at;
}
