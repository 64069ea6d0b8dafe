import { DEFAULT_ALIAS_TABLE } from './tool-markup-aliases';
import type { MarkupElement } from './tool-markup-aliases';
import { scanTag, tagBit } from './tool-markup-tags';
import type { MarkupSpelling } from './tool-types';

const ELEMENT_NAMES: Record<MarkupElement, string> = {
  wrapper: 'tool_calls',
  invoke: 'invoke',
  parameter: 'parameter',
};

/** A tag in the emitted spelling: `<|DSML|invoke` (then attributes and `>`) or `<invoke`. */
function tagStart(element: MarkupElement, closing: boolean, spelling: MarkupSpelling): string {
  return `<${closing ? '/' : ''}${spelling === 'dsml' ? '|DSML|' : ''}${ELEMENT_NAMES[element]}`;
}

export function wrapperOpener(spelling: MarkupSpelling): string {
  return `${tagStart('wrapper', false, spelling)}>`;
}

export function wrapperCloser(spelling: MarkupSpelling): string {
  return `${tagStart('wrapper', true, spelling)}>`;
}

export interface WrittenInvoke {
  name: string;
  /** In order; a string is written raw (`string="true"`), anything else as compact JSON. */
  parameters: readonly (readonly [name: string, value: unknown])[];
}

function attribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

/** True when raw text would end the value early: it holds a parameter closer in any tolerated spelling. */
function needsCdata(value: string): boolean {
  if (value.trimStart().startsWith('<![CDATA[')) return true;
  for (let at = value.indexOf('<'); at >= 0; at = value.indexOf('<', at + 1)) {
    const scan = scanTag(value, at, DEFAULT_ALIAS_TABLE, tagBit('parameter', true));
    if (scan !== 'no' && scan !== 'partial') return true;
  }
  return false;
}

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function parameterText(name: string, value: unknown, spelling: MarkupSpelling): string {
  const isString = typeof value === 'string';
  const body = isString ? (needsCdata(value) ? cdata(value) : value) : (JSON.stringify(value) ?? 'null');
  return (
    `${tagStart('parameter', false, spelling)} name="${attribute(name)}" string="${isString}">` +
    `${body}${tagStart('parameter', true, spelling)}>`
  );
}

export function renderInvoke(invoke: WrittenInvoke, spelling: MarkupSpelling): string {
  const lines = [`${tagStart('invoke', false, spelling)} name="${attribute(invoke.name)}">`];
  for (const [name, value] of invoke.parameters) lines.push(parameterText(name, value, spelling));
  lines.push(`${tagStart('invoke', true, spelling)}>`);
  return lines.join('\n');
}

/** One wrapper holding every invoke, exactly as the prompt teaches it. */
export function renderToolCallsBlock(invokes: readonly WrittenInvoke[], spelling: MarkupSpelling): string {
  return [
    wrapperOpener(spelling),
    ...invokes.map((invoke) => renderInvoke(invoke, spelling)),
    wrapperCloser(spelling),
  ].join('\n');
}
