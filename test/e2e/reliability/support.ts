import type { LoggerService } from '@nestjs/common';
import { type Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import OpenAI from 'openai';
import { startFakeDeepSeek } from '../../fake-deepseek';
import { TokenPool } from '../../../src/tokens/token-pool';
import type { Stack, StackOptions } from '../../utils/stack';
import { startTestApp } from '../../utils/test-app';

/** Every log call of the app (boot included), all levels, as text, so a test can search it for secrets. */
export class LogCapture implements LoggerService {
  readonly lines: string[] = [];

  log(...args: unknown[]): void {
    this.record('log', args);
  }
  error(...args: unknown[]): void {
    this.record('error', args);
  }
  warn(...args: unknown[]): void {
    this.record('warn', args);
  }
  debug(...args: unknown[]): void {
    this.record('debug', args);
  }
  verbose(...args: unknown[]): void {
    this.record('verbose', args);
  }
  fatal(...args: unknown[]): void {
    this.record('fatal', args);
  }

  text(): string {
    return this.lines.join('\n');
  }

  private record(level: string, args: unknown[]): void {
    const parts = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6, showHidden: true })));
    this.lines.push(`${level} ${parts.join(' ')}`);
  }
}

/** Fails with the secret's position (never the secret itself) when one of `secrets` occurs in `text`. */
export function expectNoSecrets(text: string, secrets: readonly string[], where: string): void {
  const found = secrets.flatMap((secret, index) => (text.includes(secret) ? [`secret #${index + 1}`] : []));
  expect({ where, found }).toEqual({ where, found: [] });
}

/** Token lists that look like real ones and can be searched for in logs. */
export function makeTokens(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}-Zq8vT3kLmP0sWx7rYb2N`);
}

export interface ReliabilityStack extends Stack {
  /** Everything the gateway logged since boot. */
  logs: LogCapture;
}

/** `startStack` (test/utils/stack.ts), with the gateway's log captured. */
export async function startReliabilityStack(options: StackOptions = {}): Promise<ReliabilityStack> {
  const tokens = options.tokens ?? ['tok-a'];
  const logs = new LogCapture();
  const fake = await startFakeDeepSeek({ accounts: tokens, powDifficulty: 1000, ...options.fake });
  try {
    const server = await startTestApp({ DEEPSEEK_BASE_URL: fake.url, ...options.env }, { logger: logs });
    const baseURL = `${server.url}/v1`;
    return {
      fake,
      server,
      baseURL,
      logs,
      openai: (clientTokens = tokens) => new OpenAI({ baseURL, apiKey: clientTokens.join(','), maxRetries: 0 }),
      pool: () => server.app.get(TokenPool).snapshot(),
      close: async () => {
        await server.close();
        await fake.close();
      },
    };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

/**
 * Nothing leaked: the fake has no generation in flight, and the gateway holds no lease, has no
 * waiter and counts no busy account. Waits a little, since releases travel through the event loop.
 */
export async function expectSettled(stack: Stack, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inFlight = stack.fake.state().inFlight;
    const { leases, busy, waiting } = stack.pool();
    const settled = { inFlight, leases, busy, waiting };
    if (Object.values(settled).every((n) => n === 0) || Date.now() > deadline) {
      expect(settled).toEqual({ inFlight: 0, leases: 0, busy: 0, waiting: 0 });
      return;
    }
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const chatBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'deepseek-chat',
  messages: [{ role: 'user', content: 'Hello there' }],
  ...overrides,
});

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any;
}

export interface RawRequestOptions {
  /** Sent as `Authorization: Bearer <tokens joined by ','>` unless `headers.authorization` is given. */
  tokens?: readonly string[];
  headers?: Record<string, string | string[]>;
  method?: string;
  path?: string;
  timeoutMs?: number;
  /** Default: a connection of its own. */
  agent?: Agent | false;
}

/** One request on its own connection; resolves with the whole response. `body` objects are sent as JSON. */
export function rawRequest(
  baseUrl: string,
  body: string | Buffer | object | undefined,
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
      `${baseUrl}${options.path ?? '/v1/chat/completions'}`,
      { method: options.method ?? 'POST', headers, agent: options.agent ?? false },
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

/** The `data:` payloads of an SSE body, comments dropped (`[DONE]` kept as the string). */
export function ssePayloads(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

/** The content an OpenAI SSE body carries, and its error frame if any. */
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

/** The OpenAI error body (client-api.md §4.1): all four keys, message a string. */
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

/** A streaming request read frame by frame, that the test can drop at any point. */
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

  constructor(baseUrl: string, body: object, tokens: readonly string[]) {
    let settle!: () => void;
    this.finished = new Promise((resolve) => (settle = resolve));
    this.req = httpRequest(`${baseUrl}/v1/chat/completions`, {
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
