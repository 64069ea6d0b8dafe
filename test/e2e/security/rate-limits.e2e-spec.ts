import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest, type RawResponse } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { makeTokens } from '../../utils/secrets';
import { type Stack, startStack } from '../../utils/stack';

function expectRateLimited(res: RawResponse): void {
  expectOpenAiError(res, 429, { type: 'requests', code: 'rate_limit_exceeded' });
  expect(res.json.error.message).toMatch(/per minute/);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(Number(res.headers['retry-after-ms'])).toBeGreaterThan(0);
}

describe('per-client rate limits (e2e)', () => {
  jest.setTimeout(60_000);

  describe('pass-through mode: clients are told apart by IP', () => {
    const token = 'tok-rate-Zq8vT3kLmP0sWx7rYb2N';
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        tokens: [token],
        env: { RATE_LIMIT_CHAT_PER_MINUTE: '2', RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE: '1' },
      });
    });
    afterAll(() => stack?.close());

    it('should answer the request over RATE_LIMIT_CHAT_PER_MINUTE with a 429 and retry-after', async () => {
      const chat = (headers: Record<string, string> = {}) =>
        postChat(stack.baseURL, chatBody(), { tokens: [token], headers });

      expect((await chat()).status).toBe(200);
      expect((await chat()).status).toBe(200);
      const refused = await chat();
      // Without TRUST_PROXY, X-Forwarded-For is the client's word and changes nothing.
      const spoofed = await chat({ 'x-forwarded-for': '203.0.113.7' });

      expectRateLimited(refused);
      expectRateLimited(spoofed);
    });

    it('should never limit the probes, /metrics or /v1/models', async () => {
      for (let i = 0; i < 5; i++) {
        for (const path of ['/ping', '/healthz', '/readyz', '/metrics', '/v1/models']) {
          expect((await rawRequest(`${stack.server.url}${path}`)).status).toBe(200);
        }
      }
    });

    it('should allow far fewer token checks: the second in a minute is a 429', async () => {
      const check = (candidate: string) => rawRequest(`${stack.server.url}/token/check`, { token: candidate });

      expect((await check('tok-dead-1')).json).toEqual({ live: false });
      expectRateLimited(await check('tok-dead-2'));
    });
  });

  describe('behind a proxy (TRUST_PROXY=1): the client is the address the proxy saw', () => {
    const token = 'tok-proxied-Zq8vT3kLmP0sWx7rYb2N';
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({ tokens: [token], env: { RATE_LIMIT_CHAT_PER_MINUTE: '1', TRUST_PROXY: '1' } });
    });
    afterAll(() => stack?.close());

    it('should give each forwarded client its own budget', async () => {
      const from = (ip: string) =>
        postChat(stack.baseURL, chatBody(), { tokens: [token], headers: { 'x-forwarded-for': ip } });

      expect((await from('198.51.100.1')).status).toBe(200);
      expectRateLimited(await from('198.51.100.1'));
      expect((await from('198.51.100.2')).status).toBe(200);
      // A client cannot pick its own address: the proxy appends what it saw, and only that hop is trusted.
      expectRateLimited(await from('198.51.100.3, 198.51.100.2'));
    });
  });

  describe('managed mode: clients are told apart by API key', () => {
    const serverTokens = ['tok-managed-rate-Zq8vT3kLmP0sWx7rYb2N'];
    const [keyA, keyB] = ['sk-rate-a-Hx4pR9tYu2WqLk5sMn7B', 'sk-rate-b-Hx4pR9tYu2WqLk5sMn7B'];
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        tokens: serverTokens,
        env: { DEEPSEEK_TOKENS: serverTokens.join(','), API_KEYS: `${keyA},${keyB}`, RATE_LIMIT_CHAT_PER_MINUTE: '2' },
      });
    });
    afterAll(() => stack?.close());

    it('should give every API key its own budget, from the same address', async () => {
      const chat = (key: string) =>
        postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${key}` } });

      expect([(await chat(keyA)).status, (await chat(keyA)).status]).toEqual([200, 200]);
      expectRateLimited(await chat(keyA));
      expect([(await chat(keyB)).status, (await chat(keyB)).status]).toEqual([200, 200]);
      expectRateLimited(await chat(keyB));
    });

    it('should refuse a wrong key from the headers alone: 401, not the 400 its broken body would get', async () => {
      const broken = `{"model":"deepseek-chat","messages":${'x'.repeat(1024 * 1024)}`;

      const res = await postChat(stack.baseURL, broken, { headers: { authorization: 'Bearer sk-wrong' } });

      expectOpenAiError(res, 401, { code: 'invalid_api_key' });
    });
  });

  describe('made-up tokens do not become upstream calls at line rate', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({ tokens: ['tok-known'], env: { RATE_LIMIT_NEW_TOKENS_PER_MINUTE: '5' } });
    });
    afterAll(() => stack?.close());

    it('should check at most RATE_LIMIT_NEW_TOKENS_PER_MINUTE new tokens a minute per client, then answer 429', async () => {
      const madeUp = makeTokens('made-up', 64);

      const res = await postChat(stack.baseURL, chatBody(), { tokens: madeUp });

      expectOpenAiError(res, 429, { type: 'requests', code: 'rate_limit_exceeded' });
      expect(res.json.error.message).toMatch(/tokens to check/);
      expect(stack.fake.state().requests.users_current).toBe(5);
      // Dead tokens stay known as dead: asking again costs no upstream call and no budget.
      const again = await postChat(stack.baseURL, chatBody(), { tokens: madeUp.slice(0, 5) });
      expectOpenAiError(again, 401, { code: 'invalid_api_key' });
      expect(stack.fake.state().requests.users_current).toBe(5);
    });
  });
});
