import { Agent } from 'node:http';
import { chatBodyLimitFor } from '../../../src/config/security.config';
import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest, type RawResponse } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { sleep } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const MB = 1024 * 1024;
/** The tester's body: 3,000,000 empty objects, about 9 MB. */
const manyEmptyObjects = (): Buffer => Buffer.from(`{"token":"tok-a","junk":[${'{},'.repeat(2_999_999)}{}]}`);
const deeplyNested = (depth: number, key: string): Buffer =>
  Buffer.from(`{"model":"deepseek-chat","${key}":${'['.repeat(depth)}${']'.repeat(depth)}}`);

/** Polls /ping until `attack` settles (at least twice); resolves with the slowest answer in ms. */
async function slowestPingWhile(url: string, attack: Promise<unknown>): Promise<number> {
  let settled = false;
  attack.then(
    () => (settled = true),
    () => (settled = true),
  );
  let slowest = 0;
  for (let pings = 0; pings < 2 || !settled; pings++) {
    const started = performance.now();
    const res = await rawRequest(`${url}/ping`, undefined, { timeoutMs: 10_000 });
    expect(res.text).toBe('pong');
    slowest = Math.max(slowest, performance.now() - started);
    await sleep(10);
  }
  return slowest;
}

/** Runs `work` while sampling this process's RSS (the gateway runs in it); resolves with the peak growth in bytes. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe('untrusted bodies are never walked or parsed for nothing (e2e)', () => {
  jest.setTimeout(120_000);
  const token = 'tok-bodies-Zq8vT3kLmP0sWx7rYb2N';
  // Keep-alive: the server drains a refused body and keeps the connection, so a test never races a reset.
  const agent = new Agent({ keepAlive: true });
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token] });
  });
  afterAll(async () => {
    agent.destroy();
    await stack?.close();
  });

  describe('POST /v1/chat/completions', () => {
    const post = (body: Buffer | object, headers: Record<string, string>) =>
      postChat(stack.baseURL, body, { agent, headers, timeoutMs: 60_000 });
    const auth = { authorization: `Bearer ${token}` };

    // First in this file: V8 keeps the heap that earlier tests grew, which would hide growth here.
    it('should refuse 16 unauthenticated 15 MB bodies with a 401, keeping RSS growth small', async () => {
      const body = Buffer.from(
        JSON.stringify(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(15 * MB) }] })),
      );

      const { result, growth } = await peakRssGrowth(() =>
        Promise.all(Array.from({ length: 16 }, () => post(body, {}))),
      );

      for (const res of result) expectOpenAiError(res, 401, { code: 'invalid_api_key' });
      // Measured: about 85 MB of drained-chunk churn, against 430 to 650 MB when the bodies were parsed first.
      expect(growth).toBeLessThan(200 * MB);
    });

    it('should refuse an unauthenticated body before reading it: 401, not the 400 its broken JSON would get', async () => {
      const broken = Buffer.from(`{"model":"deepseek-chat","messages":${'x'.repeat(15 * MB)}`);

      const res = await post(broken, {});

      expectOpenAiError(res, 401, { code: 'invalid_api_key' });
    });

    it.each<[string, () => Buffer]>([
      ['3,000,000-deep nesting', () => deeplyNested(3_000_000, 'messages')],
      ['2,600,000 empty objects', () => Buffer.from(`{"model":"m","messages":[${'{},'.repeat(2_599_999)}{}]}`)],
    ])(
      'should refuse %s from an authenticated client with a 400 before parsing, /ping answering meanwhile',
      async (_, body) => {
        const attack = post(body(), auth);

        const slowestPing = await slowestPingWhile(stack.server.url, attack);
        const res = await attack;

        expectOpenAiError(res, 400, { code: 'json_too_complex' });
        expect(slowestPing).toBeLessThan(1_000);
      },
    );

    it('should size the default limit from MAX_PROMPT_CHARS: a body just under it is parsed, one byte more is 413', async () => {
      const limit = chatBodyLimitFor(1_000_000);
      const sized = (size: number): Buffer => {
        const head = '{"model":"deepseek-chat","messages":[{"role":"user","content":"';
        return Buffer.from(`${head}${'y'.repeat(size - head.length - 4)}"}]}`);
      };

      const under: RawResponse = await post(sized(limit), auth);
      const over: RawResponse = await post(sized(limit + 1), auth);

      expectOpenAiError(under, 400, { code: 'context_length_exceeded' });
      expectOpenAiError(over, 413, { code: 'request_too_large' });
      expect(over.json.error.message).toContain(String(limit));
    });
  });

  describe('POST /token/check (no key needed in pass-through mode)', () => {
    const post = (body: Buffer, headers: Record<string, string> = {}) =>
      rawRequest(`${stack.server.url}/token/check`, body, { agent, headers, timeoutMs: 60_000 });

    it.each<[string, Record<string, string>]>([
      ['with its length declared', {}],
      ['chunked, length unknown', { 'transfer-encoding': 'chunked' }],
    ])(
      'should refuse 3,000,000 empty objects (%s) with a 413 at once, /ping answering meanwhile',
      async (_, headers) => {
        const body = manyEmptyObjects();
        const started = performance.now();
        const attack = post(body, headers);

        const slowestPing = await slowestPingWhile(stack.server.url, attack);
        const res = await attack;

        expectOpenAiError(res, 413, { code: 'request_too_large' });
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(slowestPing).toBeLessThan(1_000);
      },
    );

    it('should answer 3,000,000-deep nesting with a 4xx, not a 500', async () => {
      const res = await post(deeplyNested(3_000_000, 'token'));

      expect(res.status).toBe(413);
    });

    it('should answer nesting that fits the 4 KB limit with a 400, before parsing', async () => {
      const res = await post(Buffer.from(`{"token":${'['.repeat(2000)}${']'.repeat(2000)}}`));

      expectOpenAiError(res, 400, { code: 'json_too_complex' });
    });

    it('should answer a token of the wrong type with a 400 naming token', async () => {
      const res = await post(Buffer.from('{"token":[["tok-a"]]}'));

      expectOpenAiError(res, 400, { param: 'token', code: 'invalid_type' });
    });

    it('should take a body just under 4 KB and refuse one just over', async () => {
      const padded = (size: number) => {
        const head = '{"token":"tok-dead","pad":"';
        return Buffer.from(`${head}${'x'.repeat(size - head.length - 2)}"}`);
      };

      const under = await post(padded(4096));
      const over = await post(padded(4097));

      expect(under.status).toBe(200);
      expect(under.json).toEqual({ live: false });
      expectOpenAiError(over, 413, { code: 'request_too_large' });
    });
  });
});
