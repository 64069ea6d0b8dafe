import { parseLenientJson } from './tool-arguments';
import { renderToolCallsBlock, WrittenInvoke } from './tool-markup-writer';
import type { MarkupSpelling } from './tool-types';

/** An assistant turn's call as the client sends it back. */
export interface HistoryCall {
  id: string | null;
  name: string;
  /** JSON text of the arguments object. */
  argumentsJson: string;
}

export type ResultPart = { type: 'text'; text: string } | { type: string };

/** A `tool` message (OpenAI) or a `tool_result` block (Anthropic). */
export interface HistoryResult {
  callId: string | null;
  /** The legacy `function` message's name, when given. */
  name: string | null;
  content: string | readonly ResultPart[];
  /** Anthropic `is_error`. */
  isError: boolean;
}

const NO_RESULT = '(no result returned)';
const EMPTY_RESULT = '(empty)';

/** Our markers in pasted or returned text: `<|DSML|…`, `<dsml…`, `<tool_calls`, `<tool_results`. */
const MARKER_OPENING = /<(?=\/?\s*(?:[|\uff5c]+\s*dsml|dsml|tool_calls\b|tool_results\b))/gi;
const FULLWIDTH_MARKER = /\uff5c(dsml)\uff5c/gi;

/**
 * Entity-escapes the `<` of anything that could pose as our calls or results, in tool results and
 * user text. Other markup is left alone: file contents must come back unchanged for edits to match.
 */
export function defangToolMarkup(text: string): string {
  return text.replace(MARKER_OPENING, '&lt;').replace(FULLWIDTH_MARKER, '&#xFF5C;$1&#xFF5C;');
}

function toWritten(call: HistoryCall): WrittenInvoke {
  const parsed = parseLenientJson(call.argumentsJson === '' ? '{}' : call.argumentsJson);
  if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)) {
    return { name: call.name, parameters: Object.entries(parsed.value) };
  }
  // Not an object: keep the text the client sent, so nothing is lost.
  return { name: call.name, parameters: [['arguments', call.argumentsJson]] };
}

/** An assistant turn: its text, then its calls in exactly the markup the model is asked to write. */
export function renderAssistantToolTurn(text: string, calls: readonly HistoryCall[], spelling: MarkupSpelling): string {
  if (calls.length === 0) return text;
  const block = renderToolCallsBlock(calls.map(toWritten), spelling);
  return text.trim() === '' ? block : `${text}\n\n${block}`;
}

function resultText(content: HistoryResult['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => ('text' in part && typeof part.text === 'string' ? part.text : `[${part.type} omitted]`))
    .join('\n');
}

function attribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

function resultElement(name: string, callId: string | null, body: string, isError: boolean): string {
  const id = callId === null ? '' : ` call_id="${attribute(callId)}"`;
  const error = isError ? ' error="true"' : '';
  return `<result name="${attribute(name)}"${id}${error}>${body}</result>`;
}

/**
 * The results that answer one assistant turn, for the next user-side turn: in the order of the calls,
 * paired by call id (a legacy result without id takes the first unanswered call of its name). A call
 * without a result says so; a result without a call keeps its id under `name="unknown"`.
 */
export function renderToolResults(calls: readonly HistoryCall[], results: readonly HistoryResult[]): string {
  const unpaired = [...results];
  const take = (call: HistoryCall): HistoryResult | undefined => {
    let index = unpaired.findIndex((result) => call.id !== null && result.callId === call.id);
    if (index < 0) index = unpaired.findIndex((result) => result.callId === null && result.name === call.name);
    return index < 0 ? undefined : unpaired.splice(index, 1)[0];
  };
  const lines = ['<tool_results>'];
  for (const call of calls) {
    const result = take(call);
    if (result === undefined) {
      lines.push(resultElement(call.name, call.id, NO_RESULT, false));
      continue;
    }
    const text = resultText(result.content);
    lines.push(resultElement(call.name, call.id, text === '' ? EMPTY_RESULT : defangToolMarkup(text), result.isError));
  }
  for (const orphan of unpaired) {
    const text = resultText(orphan.content);
    lines.push(
      resultElement('unknown', orphan.callId, text === '' ? EMPTY_RESULT : defangToolMarkup(text), orphan.isError),
    );
  }
  lines.push('</tool_results>');
  return lines.join('\n');
}
