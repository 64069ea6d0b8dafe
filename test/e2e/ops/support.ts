import type { LoggerService, LogLevel } from '@nestjs/common';
import { RedactingConsoleLogger } from '../../../src/common/logging/app-logger';
import { startFakeDeepSeek, type FakeDeepSeek, type FakeOptions } from '../../fake-deepseek';
import { startTestApp, type TestApp } from '../../utils/test-app';

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** A strict reader of the text exposition format 0.0.4: throws on any line it does not understand. */
export function parseExposition(text: string): Exposition {
  const result: Exposition = { types: new Map(), help: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? result.types : result.help).set(meta[2], meta[3]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    LABEL_PAIR.lastIndex = 0;
    let consumed = 0;
    for (let pair = LABEL_PAIR.exec(body); pair; pair = LABEL_PAIR.exec(body)) {
      labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = LABEL_PAIR.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels in: ${line}`);
    const value = parseSampleValue(match[3]);
    if (value === undefined) throw new Error(`bad value in: ${line}`);
    result.samples.push({ name: match[1], labels, value });
  }
  return result;
}

/** Go's ParseFloat, which Prometheus uses, reads NaN and Inf in any case (prom-client writes `Nan`). */
function parseSampleValue(text: string): number | undefined {
  const special = text.toLowerCase();
  if (special === 'nan') return NaN;
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** Sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}

export interface OpsStack {
  fake: FakeDeepSeek;
  server: TestApp;
  url: string;
  close(): Promise<void>;
}

/** The fake upstream and the real gateway (as test/utils/stack.ts builds them), with an optional logger. */
export async function startOpsStack(
  options: { tokens?: string[]; fake?: FakeOptions; env?: Record<string, string>; logger?: LoggerService } = {},
): Promise<OpsStack> {
  const fake = await startFakeDeepSeek({ accounts: options.tokens ?? ['tok-a'], powDifficulty: 1000, ...options.fake });
  try {
    const server = await startTestApp({ DEEPSEEK_BASE_URL: fake.url, ...options.env }, { logger: options.logger });
    return {
      fake,
      server,
      url: server.url,
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

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

export async function chat(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The content deltas and the `[DONE]` marker of an SSE body. */
export function readStream(text: string): { content: string; done: boolean; error: unknown } {
  let content = '';
  let done = false;
  let error: unknown;
  for (const frame of text.split('\n\n')) {
    if (!frame.startsWith('data: ')) continue;
    const data = frame.slice(6);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: unknown };
    if (chunk.error) error = chunk.error;
    content += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return { content, done, error };
}

const ALL_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * The production logger (JSON lines, redaction) writing through `console`, where this capture reads
 * every line it prints.
 */
export class JsonLogCapture {
  readonly logger = new RedactingConsoleLogger({ json: true, forceConsole: true, logLevels: ALL_LEVELS });
  readonly lines: string[] = [];
  private readonly spies = (['log', 'error'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      this.lines.push(String(args[0]));
    }),
  );

  /** Every line parsed; JSON mode writes one object per line. */
  entries(): { level: string; context?: string; message: unknown }[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  /** The `message` objects of the access log lines. */
  access(): (Record<string, unknown> & { level: string })[] {
    return this.entries()
      .filter((entry) => entry.context === 'AccessLog')
      .map((entry) => ({ ...(entry.message as Record<string, unknown>), level: entry.level }));
  }

  text(): string {
    return this.lines.join('\n');
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` gives a value other than undefined (the access record is written on `close`). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
