import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest, type RawResponse } from '../../utils/http/raw-request';
import { type Stack, startStack } from '../../utils/stack';

const ORIGIN = 'https://chat-ui.example';

/** A browser's preflight for a chat request with a key. */
const preflight = (stack: Stack, origin = ORIGIN, path = '/v1/chat/completions'): Promise<RawResponse> =>
  rawRequest(`${stack.server.url}${path}`, undefined, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

function expectPreflightAllowed(res: RawResponse, origin: string): void {
  expect(res.status).toBe(204);
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(res.headers['access-control-allow-methods']).toContain('POST');
  expect(res.headers['access-control-allow-headers']?.toLowerCase().split(',')).toEqual(
    expect.arrayContaining(['authorization', 'content-type']),
  );
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
}

describe('CORS (e2e)', () => {
  describe.each<[string, Record<string, string>, Record<string, string>]>([
    ['pass-through mode', {}, { authorization: 'Bearer tok-cors-a' }],
    ['managed mode', { DEEPSEEK_TOKENS: 'tok-cors-a', API_KEYS: 'sk-cors-key' }, { 'x-api-key': 'sk-cors-key' }],
  ])('%s: every caller brings a credential, so any origin may call /v1', (_, env, auth) => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({ tokens: ['tok-cors-a'], env });
    });
    afterAll(() => stack?.close());

    it('should answer the preflight of /v1/chat/completions with 204 and the allow headers', async () => {
      expectPreflightAllowed(await preflight(stack), '*');
    });

    it('should let the page read answers and errors', async () => {
      const answered = await postChat(stack.baseURL, chatBody(), { headers: { ...auth, origin: ORIGIN } });
      const refused = await postChat(stack.baseURL, chatBody(), { headers: { origin: ORIGIN } });

      expect([answered.status, refused.status]).toEqual([200, 401]);
      expect(answered.headers['access-control-allow-origin']).toBe('*');
      expect(refused.headers['access-control-allow-origin']).toBe('*');
      expect(answered.headers['access-control-expose-headers']).toContain('retry-after');
    });

    it('should keep CORS off the routes outside /v1', async () => {
      const res = await rawRequest(
        `${stack.server.url}/token/check`,
        { token: 'tok-cors-a' },
        { headers: { origin: ORIGIN } },
      );

      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe("open mode: the server's accounts answer anyone, so no origin by default", () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({ tokens: ['tok-cors-open'], env: { DEEPSEEK_TOKENS: 'tok-cors-open' } });
    });
    afterAll(() => stack?.close());

    it('should allow no origin: no allow headers on the preflight or the answer', async () => {
      const pre = await preflight(stack);
      const answered = await postChat(stack.baseURL, chatBody(), { headers: { origin: ORIGIN } });

      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.headers['access-control-allow-headers']).toBeUndefined();
      expect(answered.status).toBe(200);
      expect(answered.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('open mode with CORS_ORIGINS: exactly the listed origins', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        tokens: ['tok-cors-listed'],
        env: { DEEPSEEK_TOKENS: 'tok-cors-listed', CORS_ORIGINS: `${ORIGIN}, http://localhost:3000` },
      });
    });
    afterAll(() => stack?.close());

    it('should allow a listed origin, and no other', async () => {
      expectPreflightAllowed(await preflight(stack, ORIGIN), ORIGIN);
      expectPreflightAllowed(await preflight(stack, 'http://localhost:3000'), 'http://localhost:3000');
      const other = await preflight(stack, 'https://evil.example');

      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers.vary).toContain('Origin');
    });
  });
});
