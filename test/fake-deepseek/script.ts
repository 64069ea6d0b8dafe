import { numberParam, stringParam } from './faults';
import type { MessageRecord } from './store';
import { codePointLength, takeGraphemes, tokenize } from './tokenizer';
import type { MessageStatus, QueuedFault, SearchResult, StreamFormat } from './types';

export const TIP_TEXT = '本回答由 AI 生成，内容仅供参考，请仔细甄别。';
export const DEFAULT_FILTER_TEMPLATE = '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。';
export const DEFAULT_HINT_MESSAGE = 'Content is too long. Please shorten it and try again.';

export type TokenItem = { readonly kind: 'reasoning' | 'content'; readonly text: string };
export type ScriptItem =
  | TokenItem
  | { readonly kind: 'close-thinking'; readonly elapsedSecs: number }
  | { readonly kind: 'search'; readonly queries: string[]; readonly results: SearchResult[] }
  | { readonly kind: 'tip'; readonly text: string };

export type EndStatus =
  'FINISHED' | 'INCOMPLETE' | 'CONTEXT_LENGTH_EXCEEDED' | 'CONTENT_TOO_LONG' | 'CANCELLED' | 'CONTENT_EMPTY';

export type Ending =
  | { kind: 'status'; status: EndStatus; elapsedSecs: number | null }
  | { kind: 'content_filter'; template: string; shape: 'template' | 'short' }
  | { kind: 'hint_error'; message: string; finishReason: string }
  | { kind: 'close_retry' }
  | { kind: 'disconnect' }
  | { kind: 'stall'; ms: number | null };

/** Endings after which the session gets its title; the other terminal statuses end without one. */
const TITLED_STATUSES: ReadonlySet<EndStatus> = new Set(['FINISHED', 'INCOMPLETE']);

/** What the document already holds when a continue round starts (its snapshot). */
export interface ResumeState {
  reasoning: string;
  content: string;
  /** Characters the previous round never streamed (part of reasoning/content above). */
  unsentReasoning: string;
  unsentContent: string;
  thinkingClosed: boolean;
  searchResults: SearchResult[] | null;
}

/** One HTTP body's worth of a message, independent of the wire format. */
export interface StreamScript {
  format: StreamFormat;
  requestMessageId: number;
  responseMessageId: number;
  modelType: string;
  thinkingEnabled: boolean;
  searchEnabled: boolean;
  insertedAt: number;
  /** Whole-message facts, so fragment ids stay stable across rounds. */
  hasReasoning: boolean;
  hasSearch: boolean;
  title: string | null;
  emitFinish: boolean;
  resume: ResumeState | null;
  items: readonly ScriptItem[];
  ending: Ending;
  /** Usage before this round's tokens, and the value of the final usage BATCH. */
  baseUsage: number;
  usage: number;
}

export interface RoundOptions {
  format: StreamFormat;
  charsPerFrame: number;
  emitFinish: boolean;
  title: string | null;
  fault: QueuedFault | undefined;
  continuing: boolean;
}

export const isToken = (item: ScriptItem): item is TokenItem => item.kind === 'reasoning' || item.kind === 'content';

export function elapsedSecsFor(reasoning: string): number {
  return Math.max(0.001, codePointLength(reasoning) / 100);
}

/** Plans the next round of a message and, for continue rounds, moves the unsent characters into it. */
export function planRound(message: MessageRecord, options: RoundOptions): StreamScript {
  const { answer, progress } = message;
  const resume = options.continuing ? resumeWithUnsent(message) : null;
  const all = planItems(message, options.charsPerFrame);
  const { items, ending } = applyFault(all, options.fault, message);
  if (options.fault?.fault === 'incomplete') message.unsentChars = numberParam(options.fault, 'unsentChars', 2);
  const baseUsage = progress.usage;
  const titled = ending.kind === 'content_filter' || (ending.kind === 'status' && TITLED_STATUSES.has(ending.status));
  return {
    format: options.format,
    requestMessageId: message.requestMessageId,
    responseMessageId: message.responseMessageId,
    modelType: message.modelType,
    thinkingEnabled: message.thinkingEnabled,
    searchEnabled: message.searchEnabled,
    insertedAt: message.insertedAt,
    hasReasoning: answer.reasoning !== '',
    hasSearch: answer.searchResults !== null,
    title: titled ? options.title : null,
    emitFinish: options.emitFinish,
    resume,
    items,
    ending,
    baseUsage,
    usage: baseUsage + items.filter(isToken).length,
  };
}

/** The script a stop_stream turns a running round into: cut after what was written, INCOMPLETE. */
export function stoppedScript(script: StreamScript, message: MessageRecord, tokensWritten: number): StreamScript {
  const items = cutAfterTokens(script.items, tokensWritten);
  return {
    ...script,
    items,
    ending: { kind: 'status', status: 'INCOMPLETE', elapsedSecs: openThinkingSecs(message, items) },
    usage: script.baseUsage + tokensWritten,
  };
}

export function endingStatus(ending: Ending): MessageStatus {
  switch (ending.kind) {
    case 'status':
      return ending.status;
    case 'content_filter':
      return 'CONTENT_FILTER';
    case 'hint_error':
    case 'close_retry':
    case 'disconnect':
    case 'stall':
      return 'ERROR';
  }
}

/** Records in the message what a round delivered: everything when complete, else the written tokens. */
export function commitProgress(message: MessageRecord, script: StreamScript, tokensWritten: number | 'all'): void {
  const progress = message.progress;
  const limit = tokensWritten === 'all' ? Infinity : tokensWritten;
  let tokens = 0;
  for (const item of script.items) {
    if (tokens >= limit) break;
    if (item.kind === 'reasoning') progress.reasoning += item.text;
    else if (item.kind === 'content') progress.content += item.text;
    else if (item.kind === 'close-thinking') progress.thinkingClosed = true;
    else if (item.kind === 'search') progress.searchDone = true;
    else progress.tipDone = true;
    if (isToken(item)) tokens++;
  }
  progress.usage += tokens;
}

function planItems(message: MessageRecord, charsPerFrame: number): ScriptItem[] {
  const { answer, progress } = message;
  const items: ScriptItem[] = [];
  if (answer.reasoning !== '' && !progress.thinkingClosed) {
    pushAll(items, tokenItems('reasoning', answer.reasoning.slice(progress.reasoning.length), charsPerFrame));
    items.push({ kind: 'close-thinking', elapsedSecs: elapsedSecsFor(answer.reasoning) });
  }
  if (answer.searchResults && !progress.searchDone) {
    items.push({ kind: 'search', queries: [takeGraphemes(message.prompt, 30)], results: answer.searchResults });
  }
  pushAll(items, tokenItems('content', answer.content.slice(progress.content.length), charsPerFrame));
  if (answer.tip && !progress.tipDone) items.push({ kind: 'tip', text: TIP_TEXT });
  return items;
}

/** `push(...items)` passes every item as an argument and overflows the stack for long texts (600k characters). */
function pushAll(target: ScriptItem[], items: readonly ScriptItem[]): void {
  for (const item of items) target.push(item);
}

const tokenItemCache = new Map<string, readonly TokenItem[]>();

/** Token items are immutable and shared between messages with the same text (renderers cache frames by item). */
function tokenItems(kind: TokenItem['kind'], text: string, charsPerFrame: number): readonly TokenItem[] {
  const key = `${kind}\u0000${charsPerFrame}\u0000${text}`;
  let items = tokenItemCache.get(key);
  if (!items) {
    items = tokenize(text, charsPerFrame).map((token) => ({ kind, text: token }));
    if (tokenItemCache.size >= 256) tokenItemCache.delete(tokenItemCache.keys().next().value as string);
    tokenItemCache.set(key, items);
  }
  return items;
}

function applyFault(
  all: ScriptItem[],
  fault: QueuedFault | undefined,
  message: MessageRecord,
): { items: ScriptItem[]; ending: Ending } {
  if (!fault) return { items: all, ending: { kind: 'status', status: 'FINISHED', elapsedSecs: null } };
  const items = cutAfterTokens(all, numberParam(fault, 'afterTokens', 0));
  switch (fault.fault) {
    case 'incomplete':
      return { items, ending: { kind: 'status', status: 'INCOMPLETE', elapsedSecs: openThinkingSecs(message, items) } };
    case 'content_filter':
      return {
        items,
        ending: {
          kind: 'content_filter',
          template: stringParam(fault, 'template', DEFAULT_FILTER_TEMPLATE),
          shape: fault.params.shape === 'short' ? 'short' : 'template',
        },
      };
    case 'context_length':
      return { items: [], ending: { kind: 'status', status: 'CONTEXT_LENGTH_EXCEEDED', elapsedSecs: null } };
    case 'content_too_long':
      return { items, ending: { kind: 'status', status: 'CONTENT_TOO_LONG', elapsedSecs: null } };
    case 'cancelled':
      return { items, ending: { kind: 'status', status: 'CANCELLED', elapsedSecs: null } };
    case 'content_empty':
      return { items, ending: { kind: 'status', status: 'CONTENT_EMPTY', elapsedSecs: null } };
    case 'close_retry':
      return { items, ending: { kind: 'close_retry' } };
    case 'hint_error':
      return {
        items,
        ending: {
          kind: 'hint_error',
          message: stringParam(fault, 'message', DEFAULT_HINT_MESSAGE),
          finishReason: stringParam(fault, 'finish_reason', 'input_exceeds_limit'),
        },
      };
    case 'disconnect':
      return { items, ending: { kind: 'disconnect' } };
    case 'stall': {
      const ms = fault.params.ms;
      return { items, ending: { kind: 'stall', ms: typeof ms === 'number' ? ms : null } };
    }
    case 'waf_html':
    case 'auth_40003':
    case 'muted':
    case 'throttle':
    case 'busy':
    case 'slow_first_byte':
    case 'model_unavailable':
    case 'client_version_too_low':
    case 'banned':
    case 'suspended':
    case 'file_failed':
    case 'upload_rate_limit':
      return { items: all, ending: { kind: 'status', status: 'FINISHED', elapsedSecs: null } };
  }
}

/** Items up to and including the n-th token (trailing metadata waits for the next round). */
function cutAfterTokens(items: readonly ScriptItem[], n: number): ScriptItem[] {
  let tokens = 0;
  let end = 0;
  for (let i = 0; i < items.length && tokens < n; i++) {
    if (isToken(items[i])) {
      tokens++;
      end = i + 1;
    }
  }
  return items.slice(0, end);
}

/** elapsed_secs to SET when a round ends INCOMPLETE while thinking is still open, else null. */
function openThinkingSecs(message: MessageRecord, items: readonly ScriptItem[]): number | null {
  const { progress } = message;
  if (progress.thinkingClosed || items.some((item) => item.kind === 'close-thinking')) return null;
  let reasoning = progress.reasoning;
  for (const item of items) if (item.kind === 'reasoning') reasoning += item.text;
  return reasoning === '' ? null : elapsedSecsFor(reasoning);
}

function resumeWithUnsent(message: MessageRecord): ResumeState {
  const { answer, progress } = message;
  const inThinking = answer.reasoning !== '' && !progress.thinkingClosed;
  const remaining = inThinking
    ? answer.reasoning.slice(progress.reasoning.length)
    : answer.content.slice(progress.content.length);
  const unsent = takeGraphemes(remaining, message.unsentChars);
  message.unsentChars = 0;
  if (unsent !== '') {
    if (inThinking) progress.reasoning += unsent;
    else progress.content += unsent;
    progress.usage++;
  }
  return {
    reasoning: progress.reasoning,
    content: progress.content,
    unsentReasoning: inThinking ? unsent : '',
    unsentContent: inThinking ? '' : unsent,
    thinkingClosed: progress.thinkingClosed,
    searchResults: progress.searchDone ? answer.searchResults : null,
  };
}
