/**
 * The tests' one SSE reader: splits a whole body (or what has arrived of one) into its event blocks
 * the way an EventSource does: LF, CRLF or CR line ends, `field: value` with one optional space after
 * the colon, `:` comment lines, a blank line ending each event. Views over it decide what to keep:
 * `sseEvents` below for the upstream's protocol, test/utils/sse/chat-stream.ts for ours.
 */

/** One event block, as written. */
export interface SseBlock {
  /** The `event:` field; null when the block names none (an event of type `message`). */
  event: string | null;
  /** The `data:` lines joined with '\n'; null when the block has none. */
  data: string | null;
  /** `:` comment lines, without the colon, trimmed. */
  comments: string[];
  /** The block's lines as they came. */
  lines: string[];
}

export interface SseText {
  /** Every block that a blank line ended. */
  blocks: SseBlock[];
  /** Whatever follows the last blank line: an event still on its way ('' when the body ends cleanly). */
  rest: string;
}

export function readSseBlocks(text: string): SseText {
  const lines = text.split(/\r\n|\r|\n/);
  // After the last line end: a line still arriving ('' when the text ends with a line end).
  const tail = lines.pop() ?? '';
  const blocks: SseBlock[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line !== '') {
      current.push(line);
      continue;
    }
    if (current.length > 0) blocks.push(toBlock(current));
    current = [];
  }
  const rest = current.length > 0 ? `${current.join('\n')}\n${tail}` : tail;
  return { blocks, rest };
}

function toBlock(lines: string[]): SseBlock {
  const block: SseBlock = { event: null, data: null, comments: [], lines };
  const data: string[] = [];
  for (const line of lines) {
    if (line.startsWith(':')) {
      block.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    const value = raw.startsWith(' ') ? raw.slice(1) : raw;
    if (name === 'event') block.event = value;
    else if (name === 'data') data.push(value);
  }
  if (data.length > 0) block.data = data.join('\n');
  return block;
}

/** An event as an EventSource dispatches it: its type (`message` by default) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** The events of a body, as an EventSource would dispatch them: blocks without data and an unfinished last block are dropped. */
export function sseEvents(text: string): SseEvent[] {
  return readSseBlocks(text)
    .blocks.filter((block) => block.data !== null)
    .map((block) => ({ event: block.event ?? 'message', data: block.data! }));
}
