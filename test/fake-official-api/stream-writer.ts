import type { ServerResponse } from 'node:http';
import type { Answer, FinishReason } from './answer';
import type { Usage } from './usage';

export interface CompletionIds {
  id: string;
  created: number;
  model: string;
  system_fingerprint: string;
}

export type StreamEnd = 'done' | 'closed' | 'cut';

export interface StreamOptions {
  thinking: boolean;
  includeUsage: boolean;
  tokenDelayMs: number;
  /** Destroy the socket after this many data chunks (a midStream fault). */
  cutAfter: number | null;
  /** Called just before the socket is destroyed on purpose (so the close is not taken for an abort). */
  onCut?: () => void;
}

type Delta = Record<string, unknown>;

export function sendEventStreamHeaders(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/**
 * Writes an answer as chat.completion.chunk frames: role, reasoning, content, tool call pieces, then the
 * finish chunk carrying `usage` (as DeepSeek does), a `choices: []` usage chunk when asked, `[DONE]`.
 */
export async function streamAnswer(
  res: ServerResponse,
  ids: CompletionIds,
  answer: Answer,
  usage: Usage,
  options: StreamOptions,
): Promise<StreamEnd> {
  sendEventStreamHeaders(res);
  let written = 0;
  let first = true;
  const send = async (
    delta: Delta,
    finishReason: FinishReason | null = null,
    withUsage = false,
  ): Promise<StreamEnd | null> => {
    if (res.destroyed) return 'closed';
    if (!first && options.tokenDelayMs > 0) {
      await sleep(options.tokenDelayMs);
      if (res.destroyed) return 'closed';
    }
    first = false;
    const choice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
    const text = frame({ ...chunkHead(ids), choices: [choice], ...(withUsage ? { usage } : {}) });
    if (options.cutAfter !== null && ++written >= options.cutAfter) {
      // Destroying a socket drops what it has not sent yet: let the chunks before the cut reach the client.
      await new Promise<void>((resolve) => res.write(text, () => resolve()));
      options.onCut?.();
      res.destroy();
      return 'cut';
    }
    await write(res, text);
    return null;
  };

  const steps: (() => Promise<StreamEnd | null>)[] = [];
  const thinking = options.thinking;
  steps.push(() =>
    send(thinking ? { role: 'assistant', content: null, reasoning_content: '' } : { role: 'assistant', content: '' }),
  );
  for (const piece of answer.reasoning ?? []) steps.push(() => send({ content: null, reasoning_content: piece }));
  for (const piece of answer.content) {
    steps.push(() => send(thinking ? { content: piece, reasoning_content: null } : { content: piece }));
  }
  answer.toolCalls.forEach((call, index) => {
    const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    steps.push(() => send({ tool_calls: [head] }));
    for (const piece of argumentPieces(call.arguments)) {
      steps.push(() => send({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  steps.push(() => send({ content: '' }, answer.finishReason, true));
  for (const step of steps) {
    const end = await step();
    if (end) return end;
  }
  if (options.includeUsage) await write(res, frame({ ...chunkHead(ids), choices: [], usage }));
  if (res.destroyed) return 'closed';
  res.end('data: [DONE]\n\n');
  return 'done';
}

function chunkHead(ids: CompletionIds): object {
  return {
    id: ids.id,
    object: 'chat.completion.chunk',
    created: ids.created,
    model: ids.model,
    system_fingerprint: ids.system_fingerprint,
  };
}

/** Arguments JSON in pieces of up to 8 characters, so clients must concatenate them. */
function argumentPieces(json: string): string[] {
  const result: string[] = [];
  for (let i = 0; i < json.length; i += 8) result.push(json.slice(i, i + 8));
  return result;
}

const frame = (body: object): string => `data: ${JSON.stringify(body)}\n\n`;

function write(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed || res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * While "busy", DeepSeek keeps the connection alive: `: keep-alive` comments on streams, empty lines
 * before a JSON body. Writes `beat` every `intervalMs` for `ms`; returns early when the client left.
 */
export async function keepAliveFor(res: ServerResponse, ms: number, intervalMs: number, beat: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!res.destroyed) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(left, intervalMs > 0 ? intervalMs : left));
    if (Date.now() >= deadline || res.destroyed) return;
    res.write(beat);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
