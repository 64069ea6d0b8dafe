import { type Dispatcher, request } from 'undici';
import { wallClockMs } from '../common/clock';
import { sleep } from './launch';
import { errorCode, type StreamHooks, type StreamOutcome } from './stream-outcome';

const DONE = '[DONE]';

export interface GatewayStreamOptions {
  /**
   * Read at most this many bytes of the body per second (on average since the first byte): after each
   * chunk the reader waits until it is within budget, and meanwhile the client's buffers fill up and
   * its socket stops reading, as a slow client's would. Unlimited when absent.
   */
  readBytesPerSecond?: number;
  /** Added to the request body (e.g. `tools` and `tool_choice`). */
  bodyFields?: Readonly<Record<string, unknown>>;
  /** Which of the gateway's APIs to call (default `chat`): its request shape and its SSE frames. */
  api?: StreamApi;
}

/**
 * `chat`: `POST /v1/chat/completions`, OpenAI chunks ending with `data: [DONE]`; `anthropic`:
 * `POST /v1/messages`, `content_block_delta` frames ending with `message_stop`; `responses`:
 * `POST /v1/responses` (`store: false`), `response.output_text.delta` frames ending with `response.completed`.
 */
export type StreamApi = 'chat' | 'anthropic' | 'responses';

function requestOf(api: StreamApi, prompt: string): { path: string; body: Record<string, unknown> } {
  switch (api) {
    case 'chat':
      return {
        path: '/v1/chat/completions',
        body: { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: prompt }] },
      };
    case 'anthropic':
      return {
        path: '/v1/messages',
        body: { model: 'deepseek-chat', stream: true, max_tokens: 8192, messages: [{ role: 'user', content: prompt }] },
      };
    case 'responses':
      return { path: '/v1/responses', body: { model: 'deepseek-chat', stream: true, store: false, input: prompt } };
  }
}

/**
 * One streaming request through the gateway (or the minimal relay), read to the end: by default
 * `POST /v1/chat/completions` (`options.api`). Counts the text frames (frames that carry non-empty
 * content or reasoning) and reports when they arrived.
 */
export async function gatewayStream(
  dispatcher: Dispatcher,
  baseUrl: string,
  tokens: readonly string[],
  marker: string,
  hooks: StreamHooks = {},
  options: GatewayStreamOptions = {},
): Promise<StreamOutcome> {
  const outcome: StreamOutcome = {
    marker,
    ok: false,
    status: 0,
    sentAtWall: wallClockMs(),
    startedAt: performance.now(),
    headersAt: null,
    firstTokenAt: null,
    endedAt: 0,
    frames: 0,
    bytes: 0,
  };
  let opened = false;
  try {
    const api = options.api ?? 'chat';
    const shape = requestOf(api, `Tell me something. [bench:${marker}]`);
    const response = await request(`${baseUrl}${shape.path}`, {
      method: 'POST',
      dispatcher,
      headers: {
        authorization: `Bearer ${tokens.join(',')}`,
        'content-type': 'application/json',
        'x-bench-marker': marker,
      },
      body: JSON.stringify({ ...shape.body, ...options.bodyFields }),
    });
    outcome.status = response.statusCode;
    outcome.headersAt = performance.now();
    if (response.statusCode !== 200) {
      await response.body.dump();
      outcome.error = `http_${response.statusCode}`;
      return outcome;
    }
    opened = true;
    hooks.onOpen?.();
    const reader = new SseFrameReader(api);
    const rate = options.readBytesPerSecond;
    let firstByteAt: number | null = null;
    for await (const chunk of response.body) {
      const now = performance.now();
      const bytes = (chunk as Buffer).length;
      outcome.bytes = (outcome.bytes ?? 0) + bytes;
      const { textFrames, done, failed } = reader.push(chunk as Buffer);
      if (textFrames > 0) {
        outcome.firstTokenAt ??= now;
        outcome.frames += textFrames;
        hooks.onFrames?.(textFrames, now);
      }
      if (failed) outcome.error = 'sse_error';
      if (done) outcome.ok = outcome.error === undefined;
      if (rate !== undefined && !done) {
        firstByteAt ??= now;
        const due = firstByteAt + ((outcome.bytes ?? 0) / rate) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
      }
    }
    if (!reader.done && outcome.error === undefined) outcome.error = 'truncated';
  } catch (error) {
    outcome.error = errorCode(error);
  } finally {
    outcome.endedAt = performance.now();
    if (opened) hooks.onClose?.();
  }
  return outcome;
}

/**
 * Splits an SSE body into frames and classifies them, chunk by chunk as they arrive. The load generator
 * runs thousands of these at once, so it keeps its own incremental reader instead of the tests' one
 * (test/utils/sse/sse-reader.ts), which reads whole bodies and keeps every frame.
 */
class SseFrameReader {
  done = false;
  private buffer = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly api: StreamApi) {}

  push(chunk: Uint8Array): { textFrames: number; done: boolean; failed: boolean } {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    let textFrames = 0;
    let failed = false;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const dataAt = frame.startsWith('data: ') ? 0 : frame.indexOf('\ndata: ') + 1;
      if (dataAt === 0 && !frame.startsWith('data: ')) continue; // comments (keep-alive)
      const data = frame.slice(dataAt + 6);
      if (data === DONE) {
        this.done = true;
        continue;
      }
      const kind = classify(this.api, JSON.parse(data) as Payload);
      if (kind === 'text') textFrames++;
      else if (kind === 'failed') failed = true;
      else if (kind === 'done') this.done = true;
    }
    return { textFrames, done: this.done, failed };
  }
}

interface Payload {
  type?: string;
  error?: unknown;
  choices?: { delta?: { content?: unknown; reasoning_content?: unknown } }[];
  delta?: unknown;
}

function classify(api: StreamApi, payload: Payload): 'text' | 'failed' | 'done' | null {
  switch (api) {
    case 'chat': {
      if (payload.error !== undefined) return 'failed';
      const delta = payload.choices?.[0]?.delta;
      return isText(delta?.content) || isText(delta?.reasoning_content) ? 'text' : null;
    }
    case 'anthropic': {
      if (payload.type === 'error') return 'failed';
      if (payload.type === 'message_stop') return 'done';
      const delta = payload.delta as { text?: unknown; thinking?: unknown } | undefined;
      return payload.type === 'content_block_delta' && (isText(delta?.text) || isText(delta?.thinking)) ? 'text' : null;
    }
    case 'responses':
      if (payload.type === 'response.failed' || payload.type === 'error') return 'failed';
      if (payload.type === 'response.completed' || payload.type === 'response.incomplete') return 'done';
      return (payload.type === 'response.output_text.delta' ||
        payload.type === 'response.reasoning_summary_text.delta') &&
        isText(payload.delta)
        ? 'text'
        : null;
  }
}

const isText = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
