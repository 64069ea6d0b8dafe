import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { type Stack, startStack } from '../../utils/stack';

/** ALLOWED_HOSTS against DNS rebinding: a page that re-points its own name at us still sends that name as Host. */
describe('ALLOWED_HOSTS (e2e)', () => {
  const token = 'tok-hosts-Zq8vT3kLmP0sWx7rYb2N';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [token],
      env: { ALLOWED_HOSTS: 'api.example.com, gw.example.com:8443, 127.0.0.1' },
    });
  });
  afterAll(() => stack?.close());

  const get = (path: string, host: string) =>
    rawRequest(`${stack.server.url}${path}`, undefined, { headers: { host } });

  it.each(['api.example.com', 'API.Example.COM', 'api.example.com:9000', 'gw.example.com:8443', '127.0.0.1:1234'])(
    'should serve Host %s',
    async (host) => {
      const res = await get('/v1/models', host);

      expect(res.status).toBe(200);
    },
  );

  it.each(['rebound.attacker.example', 'gw.example.com', 'gw.example.com:80', 'api.example.com.evil.example', '[::1]'])(
    'should refuse Host %s with a 421 in OpenAI shape',
    async (host) => {
      const res = await get('/v1/models', host);

      expectOpenAiError(res, 421, { code: 'host_not_allowed', type: 'invalid_request_error' });
    },
  );

  it('should refuse a chat for another host before any upstream call', async () => {
    const before = stack.fake.state().requests.completion ?? 0;

    const res = await postChat(stack.baseURL, chatBody(), { tokens: [token], headers: { host: 'rebound.example' } });

    expectOpenAiError(res, 421, { code: 'host_not_allowed' });
    expect(stack.fake.state().requests.completion ?? 0).toBe(before);
  });

  it('should guard /metrics but let probes through, since health checks call an IP', async () => {
    for (const probe of ['/ping', '/healthz', '/readyz']) {
      expect((await get(probe, 'rebound.example')).status).toBe(200);
    }
    expectOpenAiError(await get('/metrics', 'rebound.example'), 421, { code: 'host_not_allowed' });
  });
});
