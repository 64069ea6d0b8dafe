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
}

/**
 * One streaming `POST /v1/chat/completions` through the gateway, read to the end. Counts the text
 * frames (chunks whose delta carries non-empty content or reasoning) and reports when they arrived.
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
    const response = await request(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      dispatcher,
      headers: {
        authorization: `Bearer ${tokens.join(',')}`,
        'content-type': 'application/json',
        'x-bench-marker': marker,
      },
      body: JSON.stringify({
        model: 'deepseek-chat',
        stream: true,
        messages: [{ role: 'user', content: `Tell me something. [bench:${marker}]` }],
        ...options.bodyFields,
      }),
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
    const reader = new SseFrameReader();
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
 * Splits an OpenAI SSE body into frames and classifies them, chunk by chunk as they arrive. The load
 * generator runs thousands of these at once, so it keeps its own incremental reader instead of the
 * tests' one (test/utils/sse/sse-reader.ts), which reads whole bodies and keeps every frame.
 */
class SseFrameReader {
  done = false;
  private buffer = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): { textFrames: number; done: boolean; failed: boolean } {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    let textFrames = 0;
    let failed = false;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (!frame.startsWith('data: ')) continue; // comments (keep-alive)
      const data = frame.slice(6);
      if (data === DONE) {
        this.done = true;
        continue;
      }
      const payload = JSON.parse(data) as {
        error?: unknown;
        choices?: { delta?: { content?: unknown; reasoning_content?: unknown } }[];
      };
      if (payload.error !== undefined) failed = true;
      const delta = payload.choices?.[0]?.delta;
      if (isText(delta?.content) || isText(delta?.reasoning_content)) textFrames++;
    }
    return { textFrames, done: this.done, failed };
  }
}

const isText = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
