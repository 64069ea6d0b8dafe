import type { MarkupEvent, ParsedInvoke } from './tool-markup-events';
import { MarkupParserOptions, ToolMarkupParser } from './tool-markup-parser';

export interface ReasoningBlock {
  invokes: ParsedInvoke[];
  /** The reasoning without the block (trailing blanks trimmed). */
  reasoningBefore: string;
}

/**
 * The calls of a reasoning text whose last thing is one complete, closed block (or consecutive blocks),
 * with nothing but blanks after it; null otherwise. Reasoning is never intercepted while it streams: the
 * caller applies this at the end, only when the content produced no call and is blank.
 */
export function findTrailingReasoningBlock(
  reasoning: string,
  options: MarkupParserOptions = {},
): ReasoningBlock | null {
  const parser = new ToolMarkupParser({ ...options, fencedRepair: false });
  let before = '';
  let invokes: ParsedInvoke[] = [];
  let closed = false;
  let spoiled = false;
  const collect = (event: MarkupEvent): void => {
    switch (event.type) {
      case 'text':
        before += event.text;
        return;
      case 'invoke':
        invokes.push(event.invoke);
        closed = false;
        return;
      case 'blockEnd':
        closed = event.closed;
        return;
      case 'malformed':
        before += event.raw;
        invokes = [];
        return;
      case 'trailing':
        spoiled = true;
        return;
    }
  };
  parser.push(reasoning, collect);
  parser.end(collect);
  if (spoiled || !closed || invokes.length === 0) return null;
  return { invokes, reasoningBefore: before.trimEnd() };
}
