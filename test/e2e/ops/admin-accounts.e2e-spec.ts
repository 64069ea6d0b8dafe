import { createServer } from 'node:net';
import { accountIdOf } from '../../../src/tokens/pool/account';
import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { LogCapture } from '../../utils/log-capture';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { startTestApp } from '../../utils/test-app';
import { type Stack, startStack } from '../../utils/stack';

const ADMIN_TOKEN = 'admin-secret-5b1e0c7d9f3a';
const API_KEY = 'sk-client-key-3c9a1e7f5b2d';

describe('GET /admin/accounts: each of the server accounts, never a token (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const [good, muted, banned] = makeTokens('admin-pool', 3);
  const admin = (authorization?: string) =>
    rawRequest(`${stack.server.url}/admin/accounts`, undefined, {
      headers: authorization ? { authorization } : {},
    });

  beforeAll(async () => {
    stack = await startStack({
      tokens: [good, muted, banned],
      fake: { unavailableModels: ['expert', 'vision'] },
      env: { DEEPSEEK_TOKENS: [good, muted, banned].join(','), API_KEYS: API_KEY, ADMIN_TOKEN },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [good, muted, banned, ADMIN_TOKEN, API_KEY], 'the gateway log');
  });

  it('should refuse a missing or wrong admin token with 401, and a client API key is no admin token', async () => {
    expectOpenAiError(await admin(), 401, { code: 'invalid_api_key' });
    expectOpenAiError(await admin('Bearer nope'), 401, { code: 'invalid_api_key' });
    expectOpenAiError(await admin(`Bearer ${API_KEY}`), 401, { code: 'invalid_api_key' });
  });

  it('should list the accounts by id with their state, counts, last error and model modes', async () => {
    stack.fake.addFault({ fault: 'muted', account: muted, endpoint: 'completion', params: { seconds: 600 } });
    stack.fake.addFault({ fault: 'banned', account: banned, endpoint: 'completion', params: { permanent: true } });
    // Least recently used first: one request meets each account, in order, until the good one answers.
    for (let i = 0; i < 2; i++) {
      const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(200);
    }

    const res = await admin(`Bearer ${ADMIN_TOKEN}`);

    expect(res.status).toBe(200);
    expectNoSecrets(res.text, [good, muted, banned], 'the admin view');
    expect(res.json).toMatchObject({ object: 'list', mode: 'managed', waiting: 0 });
    const byId = new Map(res.json.data.map((account: { id: string }) => [account.id, account]));
    expect([...byId.keys()].sort()).toEqual([good, muted, banned].map(accountIdOf).sort());
    expect(byId.get(accountIdOf(good))).toMatchObject({
      state: 'idle',
      inflight: 0,
      generations_last_hour: 2,
      last_error: null,
      models: { default: true, expert: false, vision: false },
    });
    expect(byId.get(accountIdOf(muted))).toMatchObject({
      state: 'muted',
      until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      suspended: false,
      last_error: { kind: 'muted', at: expect.any(String) },
    });
    expect(byId.get(accountIdOf(banned))).toMatchObject({
      state: 'banned',
      until: null,
      last_error: { kind: 'banned' },
    });
    // A ban is logged once as the account's new state, however often the account is met afterwards.
    expect(logs.lines.filter((line) => line.startsWith('warn') && line.includes('DeepSeek banned'))).toHaveLength(1);
  });

  it('should show each pool account state in /metrics by id', async () => {
    const exposition = parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text);
    const state = (token: string, name: string) =>
      valueOf(exposition, 'deepseek_gateway_account_state', { account: accountIdOf(token), state: name });

    expect(state(good, 'idle')).toBe(1);
    expect(state(muted, 'muted')).toBe(1);
    expect(state(banned, 'banned')).toBe(1);
    expect(state(banned, 'idle')).toBe(0);
  });

  it('should not list the expert models while DeepSeek does not offer that mode to the pool', async () => {
    const res = await rawRequest(`${stack.baseURL}/models`, undefined, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const ids: string[] = res.json.data.map((model: { id: string }) => model.id);
    expect(ids).toContain('deepseek-v4-flash');
    expect(ids.filter((id) => id.includes('pro'))).toEqual([]);
  });
});

describe('GET /admin/accounts without ADMIN_TOKEN (e2e)', () => {
  it('should not exist: the 404 of any unknown route', async () => {
    const stack = await startStack({ tokens: ['tok-a'], env: { DEEPSEEK_TOKENS: 'tok-a' } });
    try {
      const res = await rawRequest(`${stack.server.url}/admin/accounts`, undefined, {
        headers: { authorization: 'Bearer anything' },
      });
      expectOpenAiError(res, 404, { code: 'unknown_url' });
    } finally {
      await stack.close();
    }
  });
});

describe('an unreachable upstream at the first token check (e2e)', () => {
  it('should answer 502, log the cause and count it, not fail silently', async () => {
    const port = await closedPort();
    const logs = new LogCapture();
    const app = await startTestApp({ DEEPSEEK_BASE_URL: `http://127.0.0.1:${port}` }, { logger: logs });
    try {
      const res = await postChat(`${app.url}/v1`, chatBody(), { tokens: ['tok-never-checked'] });

      expectOpenAiError(res, 502, { code: 'upstream_unreachable' });
      expect(logs.lines.some((line) => /token check failed \(network\).*ECONNREFUSED/.test(line))).toBe(true);
      const exposition = parseExposition((await rawRequest(`${app.url}/metrics`)).text);
      expect(
        valueOf(exposition, 'deepseek_gateway_upstream_errors_total', { kind: 'network', phase: 'validation' }),
      ).toBe(1);
    } finally {
      await app.close();
    }
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
