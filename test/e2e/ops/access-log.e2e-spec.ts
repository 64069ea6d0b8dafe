import { accountIdOf } from '../../../src/tokens/pool/account';
import { postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { JsonLogCapture } from '../../utils/log-capture';
import { expectNoSecrets } from '../../utils/secrets';
import { eventually } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const TOKENS = ['tok-log-a-Zq8vT3kLmP0sWx7rYb2N', 'tok-log-b-Hx4pR9tYu2WqLk5sMn7B'];
const PROMPT = 'PROMPT-MARKER-7d1e please keep this between us';
const REPLY = 'COMPLETION-MARKER-93ab here is the answer';
const CHAT_ROUTE = '/v1/chat/completions';

const body = (stream: boolean) => ({ model: 'deepseek-chat', stream, messages: [{ role: 'user', content: PROMPT }] });

/** Every secret and payload a log line must never hold. */
const FORBIDDEN = [...TOKENS, TOKENS.join(','), PROMPT, 'PROMPT-MARKER', REPLY, 'COMPLETION-MARKER'];

describe('the access log (e2e)', () => {
  // The whole stack (PoW worker threads, paced streams) is slow on a busy CI machine; no test relies on timing.
  jest.setTimeout(30_000);

  let logs: JsonLogCapture;
  let stack: Stack;
  const auth = { authorization: `Bearer ${TOKENS.join(',')}` };
  const lineFor = (requestId: string) =>
    eventually(() => logs.access().find((entry) => entry.request_id === requestId));

  beforeAll(async () => {
    logs = new JsonLogCapture();
    stack = await startStack({
      tokens: TOKENS,
      logs,
      env: { LOG_LEVEL: 'debug' },
      fake: { reply: { content: REPLY } },
    });
  });
  afterAll(() => stack.close());

  it('should write one JSON line per chat request with the documented fields', async () => {
    const plain = await postChat(stack.baseURL, body(false), { headers: { ...auth, 'x-request-id': 'ops-plain-1' } });
    expect(plain.status).toBe(200);
    const streamed = await postChat(stack.baseURL, body(true), {
      headers: { ...auth, 'x-request-id': 'ops-stream-1' },
    });
    expect(readChatStream(streamed.text)).toMatchObject({ content: REPLY, done: true });
    expect(streamed.headers['x-request-id']).toBe('ops-stream-1');

    const accounts = TOKENS.map(accountIdOf);
    for (const [requestId, stream] of [
      ['ops-plain-1', false],
      ['ops-stream-1', true],
    ] as const) {
      const entry = await lineFor(requestId);
      expect(entry).toEqual({
        level: 'info',
        request_id: requestId,
        method: 'POST',
        route: CHAT_ROUTE,
        path: CHAT_ROUTE,
        status: 200,
        duration_ms: expect.any(Number),
        model: 'deepseek-chat',
        stream,
        account: expect.stringMatching(/^[0-9a-f]{12}$/),
        upstream: 'web',
        ttfb_ms: expect.any(Number),
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        reasoning_tokens: 0,
        total_tokens: expect.any(Number),
      });
      expect(accounts).toContain(entry.account);
      expect(entry.total_tokens).toBeGreaterThan(0);
      expect(logs.access().filter((e) => e.request_id === requestId)).toHaveLength(1);
    }
    const raw = logs.entries().find((e) => e.context === 'AccessLog' && e.request_id === 'ops-plain-1');
    expect(raw).toMatchObject({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      pid: process.pid,
      msg: 'request completed',
    });
  });

  it('should make up a request id when the client sends none, and log the one it returned', async () => {
    const res = await postChat(stack.baseURL, body(false), { headers: auth });
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(await lineFor(id as string)).toMatchObject({ status: 200, route: CHAT_ROUTE });
  });

  it('should log an upstream error inside a stream with its kind, as a warning', async () => {
    stack.fake.addFault({ fault: 'disconnect', endpoint: 'completion', params: { afterTokens: 2 } });
    const res = await postChat(stack.baseURL, body(true), { headers: { ...auth, 'x-request-id': 'ops-cut-1' } });
    expect(readChatStream(res.text).error).toBeDefined();
    expect(await lineFor('ops-cut-1')).toMatchObject({
      level: 'warn',
      status: 200,
      stream: true,
      upstream_error: expect.any(String),
    });
  });

  it('should log a request no route took as unmatched, and probes at debug level', async () => {
    await rawRequest(`${stack.server.url}/v1/nothing?key=abc`, undefined, { headers: { 'x-request-id': 'ops-404' } });
    expect(await lineFor('ops-404')).toMatchObject({
      level: 'info',
      route: 'unmatched',
      path: '/v1/nothing',
      status: 404,
    });
    await rawRequest(`${stack.server.url}/healthz`, undefined, { headers: { 'x-request-id': 'ops-probe' } });
    expect(await lineFor('ops-probe')).toMatchObject({ level: 'debug', route: '/healthz', status: 200 });
  });

  it('should keep tokens, prompts and completions out of every log line', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expectNoSecrets(logs.text(), FORBIDDEN, 'the access log');
  });
});

describe('the access log in managed mode (e2e)', () => {
  const API_KEY = 'sk-ops-managed-Hq2Wv8Lr5Tn1Yx6B';
  const WRONG_KEY = 'sk-ops-wrong-Pz3Kd7Fm9Gq4Rs2C';
  let logs: JsonLogCapture;
  let stack: Stack;

  beforeAll(async () => {
    logs = new JsonLogCapture();
    stack = await startStack({
      tokens: TOKENS,
      logs,
      fake: { reply: { content: REPLY } },
      env: { API_KEYS: API_KEY, DEEPSEEK_TOKENS: TOKENS.join(',') },
    });
  });
  afterAll(() => stack.close());

  it('should log a refused key and an answered request without any key or token', async () => {
    const refused = await postChat(stack.baseURL, body(false), {
      headers: {
        authorization: `Bearer ${WRONG_KEY}`,
        'x-request-id': 'm-401',
      },
    });
    expect(refused.status).toBe(401);
    const answered = await postChat(stack.baseURL, body(true), {
      headers: { 'x-api-key': API_KEY, 'x-request-id': 'm-200' },
    });
    expect(readChatStream(answered.text).done).toBe(true);

    // Refused from its headers before routing (and before its body was read): no route pattern yet.
    expect(await eventually(() => logs.access().find((e) => e.request_id === 'm-401'))).toMatchObject({
      status: 401,
      route: 'unmatched',
      path: CHAT_ROUTE,
    });
    expect(await eventually(() => logs.access().find((e) => e.request_id === 'm-200'))).toMatchObject({
      status: 200,
      account: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expectNoSecrets(logs.text(), [...FORBIDDEN, API_KEY, WRONG_KEY], 'the access log in managed mode');
  });
});
