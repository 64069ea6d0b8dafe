import { postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { expectSettled } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

/** What deepseek-free-api users rely on (docs/migrating.md), served the same way. */
describe("the old server's surface (e2e)", () => {
  let stack: Stack;
  const TOKENS = ['tok-old-a', 'tok-old-b'];

  beforeAll(async () => {
    stack = await startStack({ tokens: TOKENS });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectSettled(stack));

  it('should answer GET /ping with pong', async () => {
    const res = await rawRequest(`${stack.server.url}/ping`);

    expect([res.status, res.text]).toEqual([200, 'pong']);
  });

  it('should answer POST /token/check with {live}, at most once per token in ten minutes', async () => {
    const check = (token: string) => rawRequest(`${stack.server.url}/token/check`, { token });

    expect((await check(TOKENS[0])).json).toEqual({ live: true });
    expect((await check('tok-logged-out')).json).toEqual({ live: false });
    const again = await check(TOKENS[0]);
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });

  it.each<[string, { thinking: boolean; search: boolean }]>([
    ['deepseek', { thinking: false, search: false }],
    ['deepseek_chat', { thinking: false, search: false }],
    ['deepseek-coder', { thinking: false, search: false }],
    ['deepseek-think', { thinking: true, search: false }],
    ['deepseek-r1', { thinking: true, search: false }],
    ['deepseek-search', { thinking: false, search: true }],
    ['deepseek-r1-search', { thinking: true, search: true }],
    ['deepseek-think-silent', { thinking: true, search: false }],
    ['deepseek-search-silent', { thinking: false, search: true }],
    ['deepseek-r1-fold', { thinking: true, search: false }],
  ])('should accept the old model name %s and echo it', async (model, flags) => {
    const res = await postChat(
      stack.baseURL,
      { model, messages: [{ role: 'user', content: '你是谁？' }] },
      { tokens: TOKENS },
    );

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ model, object: 'chat.completion', choices: [{ finish_reason: 'stop' }] });
    expect(onlyUpstreamMessage(stack.fake)).toMatchObject({
      thinkingEnabled: flags.thinking,
      searchEnabled: flags.search,
    });
  });

  it('should take the token list without the Bearer prefix too, as the old server did', async () => {
    const res = await rawRequest(
      `${stack.baseURL}/chat/completions`,
      { model: 'deepseek', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { authorization: TOKENS.join(',') } },
    );

    expect(res.status).toBe(200);
    expect(res.json.id).toBe(`${onlyUpstreamMessage(stack.fake).sessionId}@2`);
  });
});

describe('open mode: server-side accounts under the old variable name (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-server'], env: { DEEP_SEEK_CHAT_AUTHORIZATION: 'tok-server' } });
  });
  afterAll(() => stack.close());
  afterEach(() => expectSettled(stack));

  it.each<[string, Record<string, string>]>([
    ['no Authorization', {}],
    ['a dummy key', { authorization: 'Bearer sk-anything' }],
  ])('should answer with the server accounts for a client with %s', async (_, headers) => {
    stack.fake.reset();
    const res = await rawRequest(
      `${stack.baseURL}/chat/completions`,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] },
      { headers },
    );

    expect(res.status).toBe(200);
    expect(onlyUpstreamMessage(stack.fake).account).toBe('tok-server');
  });
});

describe('managed mode: API_KEYS in front of server-side accounts (e2e)', () => {
  let stack: Stack;
  const SERVER_TOKENS = ['tok-managed-1', 'tok-managed-2'];

  beforeAll(async () => {
    stack = await startStack({
      tokens: SERVER_TOKENS,
      env: { DEEPSEEK_TOKENS: SERVER_TOKENS.join(','), API_KEYS: 'key-one,key-two' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectSettled(stack));

  const body = { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] };

  it.each<[string, Record<string, string>]>([
    ['Authorization: Bearer', { authorization: 'Bearer key-two' }],
    ['x-api-key', { 'x-api-key': 'key-one' }],
  ])('should accept a configured key as %s and answer with a server account', async (_, headers) => {
    const res = await rawRequest(`${stack.baseURL}/chat/completions`, body, { headers });

    expect(res.status).toBe(200);
    expect(SERVER_TOKENS).toContain(onlyUpstreamMessage(stack.fake).account);
  });

  it.each<[string, Record<string, string>]>([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer key-three' }],
    ['DeepSeek tokens instead of a key', { authorization: `Bearer ${SERVER_TOKENS.join(',')}` }],
  ])('should refuse %s with 401 and never reach DeepSeek', async (_, headers) => {
    const res = await rawRequest(`${stack.baseURL}/chat/completions`, body, { headers });

    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: 'invalid_api_key' });
    expect(stack.fake.state().requests.completion ?? 0).toBe(0);
  });

  it('should require the key for /token/check too, but not for /ping', async () => {
    const check = (headers: Record<string, string>) =>
      rawRequest(`${stack.server.url}/token/check`, { token: SERVER_TOKENS[0] }, { headers });

    expect((await check({})).status).toBe(401);
    expect((await check({ authorization: 'Bearer key-one' })).json).toEqual({ live: true });
    expect((await rawRequest(`${stack.server.url}/ping`)).text).toBe('pong');
  });
});
