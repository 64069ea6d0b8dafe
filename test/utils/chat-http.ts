import { type Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** A response as node:http delivered it: status, headers and the body text, untouched. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequestOptions {
  /** Default: POST when there is a body, GET when there is none. */
  method?: string;
  /** Sent as `Authorization: Bearer <tokens joined by ','>` unless `headers.authorization` is given. */
  tokens?: readonly string[];
  headers?: Record<string, string | string[]>;
  /** Default: 20 s. */
  timeoutMs?: number;
  /** Default: a connection of its own. */
  agent?: Agent | false;
}

/**
 * One request to `url` with node:http; resolves with the whole response. An object `body` is sent as
 * JSON (`content-type: application/json` unless `headers` say otherwise), a string or a Buffer as is.
 */
export function rawRequest(
  url: string,
  body?: string | Buffer | object,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const payload = body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.tokens ? { authorization: `Bearer ${options.tokens.join(',')}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error('rawRequest timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `POST <baseURL>/chat/completions`, `baseURL` being the gateway's OpenAI base URL (`http://…/v1`). */
export function postChat(
  baseURL: string,
  body: string | Buffer | object,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return rawRequest(`${baseURL}/chat/completions`, body, options);
}

/** A minimal valid chat request: deepseek-chat, one user message; `overrides` are merged in. */
export const chatBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'deepseek-chat',
  messages: [{ role: 'user', content: 'Hello there' }],
  ...overrides,
});

/** The OpenAI error body (docs/api.md §4.1): all four keys, message a string. */
export function expectOpenAiError(response: RawResponse, status: number, match: Record<string, unknown> = {}): void {
  expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/json/),
  });
  expectOpenAiErrorBody(response.json);
  expect(response.json.error).toMatchObject(match);
}

/** `{error:{message,type,param,code}}` and nothing else; `param` and `code` are strings or null. */
export function expectOpenAiErrorBody(body: any): void {
  const nullableString = (value: unknown) => (value === null ? null : expect.any(String));
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: nullableString(body?.error?.param),
      code: nullableString(body?.error?.code),
    },
  });
}

/** One SSE event of our stream: a `data:` payload or a `:` comment. */
export type SseFrame = { kind: 'data'; data: string } | { kind: 'comment'; text: string };

/**
 * Splits an OpenAI-style SSE body into frames, failing on anything our gateway must never write: an
 * `event:`/`id:` line, several lines in one event, or a body that does not end with a blank line.
 */
export function parseSseFrames(body: string): SseFrame[] {
  if (body === '') return [];
  if (!body.endsWith('\n\n')) {
    throw new Error(`the stream does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  }
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((event): SseFrame => {
      if (event.includes('\n')) throw new Error(`an SSE event spans several lines: ${JSON.stringify(event)}`);
      if (event.startsWith('data: ')) return { kind: 'data', data: event.slice('data: '.length) };
      if (event.startsWith(':')) return { kind: 'comment', text: event.slice(1).trim() };
      throw new Error(`an SSE event that is neither data nor a comment: ${JSON.stringify(event)}`);
    });
}

/** What a chat completion stream said, read the way a careful client would. */
export interface ChatStream {
  /** Every JSON chunk (not the error frame), in order. */
  chunks: any[];
  content: string;
  reasoning: string;
  /** The last non-null finish_reason. */
  finishReason: string | null;
  /** The usage chunk's usage, if one came. */
  usage: any;
  /** The `error` object of an error frame, if one came. */
  error: any;
  /** Whether `data: [DONE]` ended the stream. */
  done: boolean;
  comments: number;
}

/** Reads a whole, well-formed stream (`parseSseFrames` fails on any framing fault). */
export function readChatStream(body: string): ChatStream {
  const stream: ChatStream = {
    chunks: [],
    content: '',
    reasoning: '',
    finishReason: null,
    usage: undefined,
    error: undefined,
    done: false,
    comments: 0,
  };
  for (const frame of parseSseFrames(body)) {
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
      if (choice.finish_reason !== null) stream.finishReason = choice.finish_reason;
    }
    if (payload.usage) stream.usage = payload.usage;
  }
  return stream;
}

/** The `data:` payloads of an SSE body, comments dropped (`[DONE]` kept as the string). Lenient: reads a cut stream. */
export function ssePayloads(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

/**
 * The content of the first choice in an SSE body, its finish reason and error frame (null when none).
 * Unlike `readChatStream`, reads whatever arrived, a stream cut short included.
 */
export function readSse(text: string): { content: string; finishReason: string | null; error: any; done: boolean } {
  let content = '';
  let finishReason: string | null = null;
  let error: any = null;
  let done = false;
  for (const payload of ssePayloads(text)) {
    if (payload === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = JSON.parse(payload);
    if (chunk.error) error = chunk.error;
    const choice = chunk.choices?.[0];
    if (typeof choice?.delta?.content === 'string') content += choice.delta.content;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  return { content, finishReason, error, done };
}

/** A streaming chat request (`POST <baseURL>/chat/completions`) read frame by frame, that the test can drop at any point. */
export class SseClient {
  status = 0;
  headers: IncomingHttpHeaders = {};
  text = '';
  ended = false;
  /** When the test dropped the connection (ms since epoch). */
  droppedAt: number | null = null;
  private readonly req;
  private response: IncomingMessage | null = null;
  private readonly waiters = new Set<() => void>();
  readonly finished: Promise<void>;

  constructor(baseURL: string, body: object, tokens: readonly string[]) {
    let settle!: () => void;
    this.finished = new Promise((resolve) => (settle = resolve));
    this.req = httpRequest(`${baseURL}/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.join(',')}` },
    });
    this.req.on('response', (res) => {
      this.response = res;
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.text += chunk;
        this.notify();
      });
      res.on('end', () => {
        this.ended = true;
        settle();
        this.notify();
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        settle();
        this.notify();
      });
    });
    this.req.on('error', () => {
      settle();
      this.notify();
    });
    this.req.end(JSON.stringify({ ...body, stream: true }));
  }

  /** Data payloads received so far. */
  payloads(): string[] {
    return ssePayloads(this.text);
  }

  /** Resolves once `predicate` holds on what arrived; rejects when the response ends first or after `timeoutMs`. */
  async until(predicate: (client: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.ended || this.droppedAt !== null) throw new Error(`the stream ended first: ${this.text.slice(0, 500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received so far: ${this.text.slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiters.add(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  /** Content deltas received so far. */
  contentFrames(): number {
    return this.payloads().filter((p) => p !== '[DONE]' && JSON.parse(p).choices?.[0]?.delta?.content).length;
  }

  /** Goes away without a word, as a crashed or impatient client does. */
  drop(): void {
    this.droppedAt = Date.now();
    this.response?.destroy();
    this.req.destroy();
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** A chunk or completion without what differs between two runs of the same request (`id`, `created`). */
export function withoutIdentity<T extends { id?: unknown; created?: unknown }>(value: T): Omit<T, 'id' | 'created'> {
  const { id: _id, created: _created, ...rest } = value;
  return rest;
}
