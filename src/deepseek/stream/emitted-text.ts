import type { JsonRecord } from './json-value';

export type TextKind = 'reasoning' | 'content' | 'template';

/** Fragment types that carry text (§7.6); TIP, TOOL_SEARCH, TOOL_OPEN and unknown types are metadata. */
export function textKindOfFragment(type: unknown): TextKind | null {
  switch (type) {
    case 'THINK':
    case 'THINKING':
      return 'reasoning';
    case 'RESPONSE':
    case 'ANSWER':
      return 'content';
    case 'TEMPLATE_RESPONSE':
      return 'template';
    default:
      return null;
  }
}

/**
 * The text already sent downstream for one fragment or Format B field: `length` characters, of which
 * `text` holds all (the parser keeps the text) or only the last few (it does not: memory stays flat
 * whatever the answer's length).
 */
export interface EmittedText {
  text: string;
  length: number;
}

/** Marks a restatement that does not extend what was emitted (§7.8 "divergence"). */
export const DIVERGED = Symbol('diverged');

/**
 * How much of the emitted text a parser that does not keep the text remembers: enough to check that a
 * continue snapshot restates what we sent, and short enough that V8 copies it instead of slicing the
 * whole answer (sliced strings of 13 characters or more keep their parent alive).
 */
export const TAIL_CHARS = 12;

export const tailOf = (text: string): string => (text.length <= TAIL_CHARS ? text : text.slice(-TAIL_CHARS));

/**
 * What `current` adds to what was already emitted: the unseen suffix, '' when nothing is new (also
 * when `current` lags behind), or DIVERGED when it contradicts the emitted text, which cannot be retracted.
 */
export function catchUp(entry: EmittedText, current: string): string | typeof DIVERGED {
  const emitted = entry.text;
  if (current === emitted) return '';
  if (emitted.length === entry.length) return catchUpWhole(entry, current);
  // Only a tail is kept: a restatement extends what we sent if it has that tail where our text ended.
  const { length } = entry;
  if (current.length < length) return '';
  const extends_ = current.slice(length - emitted.length, length) === emitted;
  entry.text = tailOf(current);
  entry.length = current.length;
  if (!extends_) return DIVERGED;
  return current.slice(length);
}

function catchUpWhole(entry: EmittedText, current: string): string | typeof DIVERGED {
  const emitted = entry.text;
  if (emitted.startsWith(current)) {
    // Keep the document's own string so the next append hits the identity check in `advance`.
    if (current.length === emitted.length) entry.text = current;
    return '';
  }
  entry.text = current;
  entry.length = current.length;
  return current.startsWith(emitted) ? current.slice(emitted.length) : DIVERGED;
}

/** An APPEND turned `before` into `after`; the usual case is a plain identity check. */
export function advance(entry: EmittedText, before: string, after: string, delta: string): string | typeof DIVERGED {
  if (entry.text !== before) return catchUp(entry, after);
  entry.text = after;
  entry.length += delta.length;
  return delta;
}

/**
 * Per fragment (by `id`, else by index) and per Format B field, what was emitted. It survives
 * continue rounds: that is how a continue snapshot emits only its unseen suffix.
 */
export class EmittedTextLedger {
  private readonly entries = new Map<string | number, EmittedText>();
  private lastFragment: object | null = null;
  private lastEntry: EmittedText = { text: '', length: 0 };

  /** Null when the fragment has no usable `id`; the caller then goes by index. */
  forFragmentId(fragment: JsonRecord): EmittedText | null {
    if (fragment === this.lastFragment) return this.lastEntry;
    const id = fragment.id;
    if (typeof id !== 'number' && typeof id !== 'string') return null;
    const entry = this.entry(typeof id === 'number' ? id : `id:${id}`);
    this.lastFragment = fragment;
    this.lastEntry = entry;
    return entry;
  }

  forFragment(fragment: JsonRecord, index: number): EmittedText {
    return this.forFragmentId(fragment) ?? this.entry(`index:${index}`);
  }

  forField(name: string): EmittedText {
    return this.entry(`field:${name}`);
  }

  /** A fragment object may have been edited in place (its id, say): drop the identity shortcut. */
  forgetLastFragment(): void {
    this.lastFragment = null;
  }

  private entry(key: string | number): EmittedText {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { text: '', length: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }
}
