import { readSseBlocks } from './sse-reader';

/** One event of our stream: a `data:` payload or a `:` comment. */
export type SseFrame = { kind: 'data'; data: string } | { kind: 'comment'; text: string };

export interface FrameOptions {
  /** A stream cut short: the event still arriving is left out instead of failing. */
  partial?: boolean;
}

/**
 * The frames of a gateway stream, failing on anything the gateway must never write: a line other
 * than `data: …` or a comment, an event of several lines, a stray blank line or CR, or (unless
 * `partial`) a body that does not end with a blank line.
 */
export function gatewayFrames(body: string, { partial = false }: FrameOptions = {}): SseFrame[] {
  const { blocks, rest } = readSseBlocks(body);
  if (!partial && rest !== '') {
    throw new Error(`the stream does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  }
  const written = blocks.map((block) => `${block.lines.join('\n')}\n\n`).join('');
  if (written + rest !== body) throw new Error('the stream has a stray blank line or a CR line end');
  return blocks.map((block): SseFrame => {
    const [line] = block.lines;
    if (block.lines.length > 1) throw new Error(`an SSE event spans several lines: ${JSON.stringify(block.lines)}`);
    if (line.startsWith('data: ')) return { kind: 'data', data: block.data! };
    if (line.startsWith(':')) return { kind: 'comment', text: block.comments[0] };
    throw new Error(`an SSE event that is neither data nor a comment: ${JSON.stringify(line)}`);
  });
}

/** What a chat completion stream said, read the way a careful client would. */
export interface ChatStream {
  /** Every JSON chunk (not the error frame), in order. */
  chunks: any[];
  content: string;
  reasoning: string;
  /** Chunks whose delta carries content. */
  contentChunks: number;
  /** The last non-null finish_reason. */
  finishReason: string | null;
  /** The usage chunk's usage, if one came. */
  usage: any;
  /** The `error` object of an error frame; null when none came. */
  error: any;
  /** Whether `data: [DONE]` ended the stream. */
  done: boolean;
  comments: number;
}

/** Reads a stream through `gatewayFrames` (so a framing fault fails the test); `partial` for one cut short or still arriving. */
export function readChatStream(body: string, options: FrameOptions = {}): ChatStream {
  const stream: ChatStream = {
    chunks: [],
    content: '',
    reasoning: '',
    contentChunks: 0,
    finishReason: null,
    usage: undefined,
    error: null,
    done: false,
    comments: 0,
  };
  for (const frame of gatewayFrames(body, options)) {
    if (frame.kind === 'comment') {
      stream.comments++;
      continue;
    }
    if (frame.data === '[DONE]') {
      stream.done = true;
      continue;
    }
    const payload = JSON.parse(frame.data);
    if (payload.error) {
      stream.error = payload.error;
      continue;
    }
    stream.chunks.push(payload);
    for (const choice of payload.choices) {
      stream.content += choice.delta.content ?? '';
      stream.reasoning += choice.delta.reasoning_content ?? '';
      if (choice.delta.content) stream.contentChunks++;
      if (choice.finish_reason !== null) stream.finishReason = choice.finish_reason;
    }
    if (payload.usage) stream.usage = payload.usage;
  }
  return stream;
}
