import { getEventListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { DeepSeekClient } from '../../../src/deepseek/deepseek.client';
import { FakeClient } from '../../fake-deepseek/spec-helpers';
import { chatBody, postChat } from '../../utils/chat-http';
import type { RawResponse } from '../../utils/http/raw-request';
import { UpstreamProxy } from '../../utils/http/upstream-proxy';
import { expectOpenAiError } from '../../utils/openai-error';
import { readChatStream } from '../../utils/sse/chat-stream';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { expectSettled } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const REPLY = 'Served by the one account that could.';

/**
 * Drops, without a byte of answer, the connection of every request `drop` picks: a network error
 * before the headers, which the fake alone cannot produce.
 */
class DroppingProxy extends UpstreamProxy {
  dropped = 0;
  drop: (req: IncomingMessage) => boolean = () => false;

  constructor() {
    super();
    this.intercept = (req) => {
      if (!this.drop(req)) return false;
      this.dropped++;
      req.socket.destroy();
      return true;
    };
  }
}

const isCompletionOf = (req: IncomingMessage, token: string) =>
  req.url === '/api/v0/chat/completion' && req.headers.authorization === `Bearer ${token}`;

function expectAnswer(res: RawResponse, stream: boolean): void {
  expect(res.status).toBe(200);
  if (stream) {
    expect(readChatStream(res.text)).toMatchObject({ content: REPLY, finishReason: 'stop', error: null, done: true });
  } else {
    expect(res.json.choices[0]).toMatchObject({ message: { content: REPLY }, finish_reason: 'stop' });
  }
}

describe('pre-flight failover across the accounts of a request (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const proxy = new DroppingProxy();
  const secrets: string[] = [];
  let serial = 0;

  beforeAll(async () => {
    const proxyUrl = await proxy.listen();
    stack = await startStack({
      tokens: [],
      fake: { reply: { content: REPLY } },
      env: { DEEPSEEK_BASE_URL: proxyUrl, UPSTREAM_TIMEOUT_MS: '3000' },
      logger: logs,
    });
    proxy.target = stack.fake.url;
  });
  beforeEach(() => {
    stack.fake.reset();
    proxy.drop = () => false;
    proxy.dropped = 0;
  });
  afterAll(async () => {
    await stack?.close();
    await proxy.close();
    expectNoSecrets(logs.text(), secrets, 'the gateway log of the failover suite');
  });

  /** Fresh tokens per test: the gateway remembers account health across requests. */
  function accounts(...labels: string[]): Record<string, string> {
    const tokens = makeTokens(`failover-${serial++}`, labels.length);
    secrets.push(...tokens);
    return Object.fromEntries(labels.map((label, i) => [label, tokens[i]]));
  }

  /** Where the fake ran generations, by token: which account actually answered. */
  const generationsBy = (token: string) => stack.fake.state().accounts[token]?.generations ?? 0;

  describe.each([
    ['non-stream', false],
    ['stream', true],
  ])('%s', (_, stream) => {
    it('should answer from the good account when the others are muted, invalid and busy upstream', async () => {
      const a = accounts('muted', 'invalid', 'busy', 'good');
      stack.fake.configure({
        accounts: { [a.muted]: { mutedUntil: Date.now() / 1000 + 3600 }, [a.busy]: {}, [a.good]: {} },
      });
      // Someone else (the web UI) is generating on the busy account: the upstream refuses a second generation.
      const web = new FakeClient(stack.fake.url, a.busy);
      const webSession = await web.createSession();
      stack.fake.addFault({ fault: 'stall', account: a.busy, params: { afterTokens: 1 } });
      const webAnswer = web.complete({ chat_session_id: webSession });
      await stack.fake.waitFor((s) => s.accounts[a.busy].inFlight === 1);

      const res = await postChat(stack.baseURL, chatBody({ stream }), {
        tokens: [a.muted, a.invalid, a.busy, a.good],
      });

      expectAnswer(res, stream);
      expect(stack.fake.state().accounts[a.busy].busyRefusals).toBe(1);
      expect([a.muted, a.busy, a.good].map(generationsBy)).toEqual([0, 1, 1]);
      await web.json('/api/v0/chat/stop_stream', { chat_session_id: webSession, message_id: 2 });
      await webAnswer;
      await expectSettled(stack);
    });

    it('should move past every kind of refusal at the completion itself, more of them than the retry budget', async () => {
      const a = accounts('muted', 'auth', 'busy', 'throttled', 'network', 'good');
      stack.fake.configure({ accounts: Object.values(a) });
      stack.fake.addFault(
        { fault: 'muted', account: a.muted, endpoint: 'completion' },
        { fault: 'auth_40003', account: a.auth, endpoint: 'completion' },
        { fault: 'busy', account: a.busy, endpoint: 'completion' },
        { fault: 'throttle', account: a.throttled, endpoint: 'completion' },
      );
      proxy.drop = (req) => isCompletionOf(req, a.network);
      const tokens = [a.muted, a.auth, a.busy, a.throttled, a.network, a.good];

      const res = await postChat(stack.baseURL, chatBody({ stream }), { tokens });

      expectAnswer(res, stream);
      expect(stack.fake.state().faults.consumed.map((f) => f.fault)).toEqual([
        'muted',
        'auth_40003',
        'busy',
        'throttle',
      ]);
      expect(proxy.dropped).toBe(1);
      expect(tokens.map(generationsBy)).toEqual([0, 0, 0, 0, 0, 1]);
      await expectSettled(stack);
    });
  });

  it('should queue again when every account answers busy, each tried once, and answer once one has cooled down', async () => {
    const a = accounts('one', 'two', 'three', 'four', 'five');
    stack.fake.configure({ accounts: Object.values(a) });
    stack.fake.addFault({ fault: 'busy', endpoint: 'completion', times: 5 });

    const res = await postChat(stack.baseURL, chatBody(), { tokens: Object.values(a) });

    expectAnswer(res, false);
    expect(stack.fake.state().requests.completion).toBe(6);
    expect(new Set(stack.fake.state().faults.consumed.map((f) => f.account))).toEqual(new Set(Object.values(a)));
    await expectSettled(stack);
  }, 10_000);

  it('should stop after a bounded number of network failures however many accounts remain', async () => {
    const a = accounts('one', 'two', 'three', 'four', 'five', 'six');
    stack.fake.configure({ accounts: Object.values(a) });
    proxy.drop = (req) => req.url === '/api/v0/chat/completion';

    const res = await postChat(stack.baseURL, chatBody(), { tokens: Object.values(a) });

    expectOpenAiError(res, 502, { code: 'upstream_unreachable' });
    expect(proxy.dropped).toBe(4);
    await expectSettled(stack);
  });

  it('should wait for the account that owns a continued conversation instead of moving to another', async () => {
    const a = accounts('owner', 'other');
    stack.fake.configure({ accounts: Object.values(a) });
    const tokens = [a.owner, a.other];
    const first = await postChat(stack.baseURL, chatBody(), { tokens: [a.owner] });
    expect(first.status).toBe(200);
    stack.fake.addFault({ fault: 'busy', account: a.owner, endpoint: 'completion' });

    const res = await postChat(
      stack.baseURL,
      chatBody({
        conversation_id: first.json.id,
        messages: [
          { role: 'user', content: 'Hello there' },
          { role: 'assistant', content: REPLY },
          { role: 'user', content: 'And again?' },
        ],
      }),
      { tokens },
    );

    expectAnswer(res, false);
    expect(stack.fake.state().accounts[a.owner]).toMatchObject({ generations: 2, busyRefusals: 0 });
    expect(stack.fake.state().faults.consumed.map((f) => f.account)).toEqual([a.owner]);
    expect(generationsBy(a.other)).toBe(0);
    const [session] = Object.values(stack.fake.state().sessions);
    expect(session.messages.map((m) => m.parentMessageId)).toEqual([null, 2]);
    await expectSettled(stack);
  });

  it.each([
    ['disconnect', { fault: 'disconnect', params: { afterTokens: 3 } }],
    ['hint_error', { fault: 'hint_error', params: { afterTokens: 3, finish_reason: 'rate_limit_reached' } }],
  ] as const)('should never retry on another account once the stream started (%s)', async (_, fault) => {
    const a = accounts('first', 'second');
    stack.fake.configure({ accounts: Object.values(a) });
    stack.fake.addFault({ ...fault, times: 2 });

    const res = await postChat(stack.baseURL, chatBody({ stream: true }), { tokens: Object.values(a) });

    expect(res.status).toBe(200);
    const sse = readChatStream(res.text);
    expect(sse.content.length).toBeGreaterThan(0);
    expect(sse.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    expect(stack.fake.state().requests.completion).toBe(1);
    await expectSettled(stack);
  });

  it('should leave no abort listener on the request signal once an attempt is refused', async () => {
    const a = accounts('busy');
    stack.fake.configure({ accounts: [a.busy] });
    stack.fake.addFault({ fault: 'busy', account: a.busy, endpoint: 'completion' });
    const request = new AbortController();

    const attempt = stack.server.app.get(DeepSeekClient).startCompletion({
      token: a.busy,
      prompt: 'Hello',
      thinking: false,
      search: false,
      modelType: 'default',
      signal: request.signal,
    });

    await expect(attempt).rejects.toMatchObject({ kind: 'busy' });
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
  });
});
