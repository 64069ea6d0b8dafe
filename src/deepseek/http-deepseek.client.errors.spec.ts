import { startFakeDeepSeek, type FakeDeepSeek, type FakeEndpoint, type FaultSpec } from '../../test/fake-deepseek';
import type { HttpDeepSeekClient } from './http-deepseek.client';
import {
  ALICE,
  ClientFactory,
  useClientRig,
  collect,
  completionOptions,
  errorText,
  MUTED,
  record,
  RecordingPowSolver,
  seenErrors,
  upstreamErrorOf,
} from '../../test/utils/deepseek/client-kit';
import type { UpstreamError } from './upstream-error';

jest.setTimeout(60_000);

const REPLY = { reasoning: 'Thinking it over.', content: 'A reply long enough to be cut in the middle of it.' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UNKNOWN_SESSION = '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e';

describe('HttpDeepSeekClient errors', () => {
  let fake: FakeDeepSeek;
  let pow: RecordingPowSolver;
  let clients: ClientFactory;
  let client: HttpDeepSeekClient;
  /**
   * A fresh account per test: a request the previous test abandoned may still reach the fake after its reset,
   * and must not take this test's faults (they are all bound to this account).
   */
  let token: string;
  const tokens: string[] = [];

  const rig = useClientRig({
    accounts: { [MUTED]: { mutedUntil: Date.now() / 1000 + 3600 } },
    reply: REPLY,
  });
  beforeAll(() => ({ fake, pow, clients, client } = rig));

  beforeEach(() => {
    token = `${ALICE}-${tokens.length}`;
    tokens.push(token);
    fake.configure({ accounts: [token] });
  });

  const start = (overrides = {}) => client.startCompletion(completionOptions(token, overrides));

  /** Queues faults for this test's account only. */
  const fault = (...specs: FaultSpec[]) => fake.addFault(...specs.map((spec) => ({ ...spec, account: token })));

  /** The error of a completion that the upstream refuses before it starts. */
  const refusal = (overrides = {}) => upstreamErrorOf(start(overrides));

  /** The error that ends an answer that had started. */
  async function streamFailure(): Promise<UpstreamError> {
    const result = await collect((await start()).events);
    expect(result.content.length).toBeGreaterThan(0);
    return record(result.error);
  }

  describe('auth', () => {
    it.each<[FakeEndpoint, string]>([
      ['chat_session_create', 'chat_session/create'],
      ['create_pow_challenge', 'chat/create_pow_challenge'],
      ['completion', 'chat/completion'],
    ])('should reject 40003 from %s before the answer as auth', async (endpoint, path) => {
      fault({ fault: 'auth_40003', endpoint });

      const error = await refusal();

      expect(error.kind).toBe('auth');
      expect(error.details).toMatchObject({ endpoint: path, code: 40003 });
      expect(fake.state().requests.completion ?? 0).toBe(endpoint === 'completion' ? 1 : 0);
    });

    it('should end a started answer with auth when continue gets 40003', async () => {
      fault({ fault: 'incomplete', params: { afterTokens: 3 } }, { fault: 'auth_40003', endpoint: 'continue' });

      const error = await streamFailure();

      expect(error.kind).toBe('auth');
      expect(error.details).toMatchObject({ endpoint: 'chat/continue', code: 40003 });
    });

    it.each<[FakeEndpoint, (c: HttpDeepSeekClient) => Promise<unknown>]>([
      ['users_current', (c) => c.checkToken(token)],
      ['chat_session_delete', (c) => c.deleteSession(token, UNKNOWN_SESSION)],
    ])('should reject 40003 from %s as auth', async (endpoint, call) => {
      fault({ fault: 'auth_40003', endpoint });

      expect((await upstreamErrorOf(call(client))).kind).toBe('auth');
    });
  });

  describe('muted', () => {
    it('should reject a muted refusal with the mute end', async () => {
      fault({ fault: 'muted', endpoint: 'completion', params: { seconds: 600 } });
      const before = Date.now();

      const error = await refusal();

      expect(error.kind).toBe('muted');
      expect(error.details).toMatchObject({
        endpoint: 'chat/completion',
        bizCode: 5,
        upstreamMessage: 'user is muted',
      });
      expect(error.details.muteUntilMs).toBeGreaterThanOrEqual(before + 599_000);
      expect(error.details.muteUntilMs).toBeLessThanOrEqual(Date.now() + 601_000);
    });

    it('should reject a completion on an account that is muted already', async () => {
      const error = await upstreamErrorOf(client.startCompletion(completionOptions(MUTED)));

      expect(error.kind).toBe('muted');
      expect(error.details.muteUntilMs).toBeGreaterThan(Date.now());
    });
  });

  describe('busy', () => {
    it.each(['sse', 'envelope'] as const)('should reject the %s busy refusal as busy', async (form) => {
      fault({ fault: 'busy', endpoint: 'completion', params: { form } });

      const error = await refusal();

      expect(error.kind).toBe('busy');
      expect(error.details.upstreamMessage).toBe('A message is being generated, please try again later.');
    });

    it('should reject a second generation on an account that is generating', async () => {
      fake.configure({ tokenDelayMs: 20 });
      const first = await start();

      const error = await refusal();

      expect(error.kind).toBe('busy');
      expect(fake.state().accounts[token].busyRefusals).toBe(1);
      await collect(first.events);
    });
  });

  describe('throttled', () => {
    it.each([
      ['code 40029', false, 200],
      ['HTTP 429', true, 429],
    ])('should reject %s as throttled', async (_name, http429, status) => {
      fault({ fault: 'throttle', endpoint: 'completion', params: { http429 } });

      const error = await refusal();

      expect(error.kind).toBe('throttled');
      expect(error.details).toMatchObject({ status, code: 40029 });
    });

    it('should reject 40029 on a JSON call as throttled', async () => {
      fault({ fault: 'throttle', endpoint: 'users_current', params: { http429: true } });

      expect((await upstreamErrorOf(client.checkToken(token))).kind).toBe('throttled');
    });

    it('should end a started answer on an in-stream rate limit as throttled', async () => {
      fault({
        fault: 'hint_error',
        params: {
          afterTokens: 3,
          message: 'Messages too frequent. Try again later.',
          finish_reason: 'rate_limit_reached',
        },
      });

      expect((await streamFailure()).kind).toBe('throttled');
    });
  });

  describe('blocked', () => {
    it.each([
      ['cloudflare', 403, 'Just a moment...'],
      ['cloudwaf', 403, '访问被拦截！'],
      ['aws', 202, '<div id="challenge-container">'],
    ] as const)('should reject the %s page as blocked', async (variant, status, marker) => {
      fault({ fault: 'waf_html', endpoint: 'completion', params: { variant } });

      const error = await refusal();

      expect(error.kind).toBe('blocked');
      expect(error.details).toMatchObject({ endpoint: 'chat/completion', status });
      expect(error.details.upstreamMessage).toContain(marker);
      if (variant === 'aws') expect(error.message).toContain('AWS WAF');
    });

    it.each<FakeEndpoint>(['users_current', 'chat_session_create', 'create_pow_challenge'])(
      'should reject a block page from %s as blocked',
      async (endpoint) => {
        fault({ fault: 'waf_html', endpoint });
        const call = endpoint === 'users_current' ? client.checkToken(token) : start();

        expect((await upstreamErrorOf(call)).kind).toBe('blocked');
      },
    );
  });

  describe('content filter', () => {
    it.each(['template', 'short'] as const)(
      'should relay the %s filter ending as template text and the CONTENT_FILTER status',
      async (shape) => {
        const template = '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。';
        fault({ fault: 'content_filter', params: { afterTokens: 3, shape } });

        const result = await collect((await start()).events);

        expect(result.error).toBeNull();
        expect(result.statuses.at(-1)).toBe('CONTENT_FILTER');
        expect(result.template).toBe(shape === 'template' ? template : '');
        expect(result.content).not.toContain('CONTENT_FILTER');
      },
    );
  });

  describe('context length', () => {
    it('should reject CONTEXT_LENGTH_EXCEEDED as context_length', async () => {
      fault({ fault: 'context_length' });

      expect((await refusal()).kind).toBe('context_length');
    });

    it('should reject the input_exceeds_limit hint as context_length', async () => {
      fault({ fault: 'hint_error', params: { afterTokens: 0 } });

      const error = await refusal();

      expect(error.kind).toBe('context_length');
      expect(error.details.upstreamMessage).toBe('Content is too long. Please shorten it and try again.');
    });
  });

  describe('invalid request', () => {
    it('should reject an unknown session', async () => {
      const error = await refusal({ sessionId: UNKNOWN_SESSION });

      expect(error.kind).toBe('invalid_request');
      expect(error.details).toMatchObject({ bizCode: 1, upstreamMessage: 'invalid chat session id' });
    });

    it("should reject another account's session", async () => {
      const first = await start();
      await collect(first.events);

      const error = await upstreamErrorOf(
        client.startCompletion(completionOptions(MUTED, { sessionId: first.sessionId })),
      );

      expect(['invalid_request', 'muted']).toContain(error.kind);
    });

    it('should reject a parent message that is not in the session', async () => {
      const first = await start();
      await collect(first.events);

      const error = await refusal({ sessionId: first.sessionId, parentMessageId: 99 });

      expect(error.kind).toBe('invalid_request');
      expect(error.details).toMatchObject({ bizCode: 26, upstreamMessage: 'invalid message id' });
    });

    it('should reject a model type the account may not use', async () => {
      fault({ fault: 'model_unavailable', endpoint: 'completion' });

      const error = await refusal({ modelType: 'expert' });

      expect(error.kind).toBe('invalid_request');
      expect(error.details.upstreamMessage).toBe('model type not available');
    });
  });

  describe('proof of work', () => {
    /** Each challenge expires 1 ms after it is issued; the hook lets that millisecond pass before solving. */
    function expireChallenges(freshFrom = Infinity): void {
      fake.configure({ powExpireMs: 1 });
      let solves = 0;
      pow.onSolve = async () => {
        solves++;
        if (solves + 1 >= freshFrom) fake.configure({ powExpireMs: 300_000 });
        if (solves < freshFrom) await sleep(20);
      };
    }

    it('should retry once with a fresh challenge when the upstream refuses the PoW', async () => {
      // The first attempt solves two challenges (the first is too close to its expiry), the retry a fresh one.
      expireChallenges(3);

      const result = await collect((await start()).events);

      expect(result.statuses.at(-1)).toBe('FINISHED');
      const state = fake.state();
      expect(state.requests.completion).toBe(2);
      expect(state.pow.rejected.map((r) => r.reason)).toEqual(['challenge expired']);
      expect(state.pow.verified).toBe(1);
    });

    it('should reject as pow when the retry is refused too', async () => {
      expireChallenges();

      const error = await refusal();

      expect(error.kind).toBe('pow');
      expect(error.details).toMatchObject({ endpoint: 'chat/completion', code: 40301 });
      expect(fake.state().pow.rejected.map((r) => r.reason)).toEqual(['challenge expired', 'challenge expired']);
      expect(fake.state().requests.completion).toBe(2);
    });
  });

  describe('bad response', () => {
    it('should end a started answer on a generic in-stream error as bad_response', async () => {
      fault({ fault: 'hint_error', params: { afterTokens: 3, message: 'Something broke.', finish_reason: 'x' } });

      const error = await streamFailure();

      expect(error.kind).toBe('bad_response');
      expect(error.details.upstreamMessage).toBe('Something broke.');
    });

    it('should end an answer cut off mid-stream as a stream that ended before the message was finished', async () => {
      fault({ fault: 'disconnect', params: { afterTokens: 3 } });

      const error = await streamFailure();

      expect(error.kind).toBe('bad_response');
      expect(error.message).toContain('closed before the answer was complete');
    });
  });

  describe('timeout', () => {
    it('should end a stalled answer with timeout after UPSTREAM_TIMEOUT_MS without a byte', async () => {
      const impatient = clients.create(fake.url, { upstreamTimeoutMs: 300 });
      fault({ fault: 'stall', params: { afterTokens: 3 } });

      const result = await collect((await impatient.startCompletion(completionOptions(token))).events);

      expect(result.content.length).toBeGreaterThan(0);
      expect(record(result.error).kind).toBe('timeout');
      // The stream is cut and stop_stream sent: whichever the fake sees first ends the generation.
      await fake.waitFor((s) => s.openStreams === 0 && s.inFlight === 0);
    });

    it('should let an answer run longer than UPSTREAM_TIMEOUT_MS while its bytes keep coming', async () => {
      const idle = clients.create(fake.url, { upstreamTimeoutMs: 1_000, firstByteTimeoutMs: 1_000 });
      fake.configure({ tokenDelayMs: 100, reply: { content: 'x'.repeat(25) }, charsPerFrame: 1 });

      const result = await collect((await idle.startCompletion(completionOptions(token))).events);

      expect(result.error).toBeNull();
      expect(result.content).toBe('x'.repeat(25));
    });

    it('should reject a completion whose first byte is late as timeout', async () => {
      const impatient = clients.create(fake.url, { firstByteTimeoutMs: 300 });
      fault({ fault: 'slow_first_byte', endpoint: 'completion', params: { ms: 5_000 } });

      const error = await upstreamErrorOf(impatient.startCompletion(completionOptions(token)));

      expect(error.kind).toBe('timeout');
    });

    it('should reject a JSON call whose answer is late as timeout', async () => {
      const impatient = clients.create(fake.url, { firstByteTimeoutMs: 300 });
      fault({ fault: 'slow_first_byte', endpoint: 'users_current', params: { ms: 5_000 } });

      const error = await upstreamErrorOf(impatient.checkToken(token));

      expect(error.kind).toBe('timeout');
      expect(error.details.endpoint).toBe('users/current');
    });
  });

  describe('network', () => {
    it('should reject every call as network when nothing listens', async () => {
      const gone = await startFakeDeepSeek({ accounts: [ALICE] });
      const url = gone.url;
      await gone.close();
      const orphan = clients.create(url);

      expect((await upstreamErrorOf(orphan.checkToken(ALICE))).kind).toBe('network');
      expect((await upstreamErrorOf(orphan.startCompletion(completionOptions(ALICE)))).kind).toBe('network');
      expect((await upstreamErrorOf(orphan.deleteSession(ALICE, UNKNOWN_SESSION))).kind).toBe('network');
    });

    it('should reject a call cut by the upstream closing as network', async () => {
      const closing = await startFakeDeepSeek({ accounts: [ALICE], powDifficulty: 1000 });
      closing.addFault({ fault: 'slow_first_byte', endpoint: 'users_current', params: { ms: 60_000 } });
      const closingClient = clients.create(closing.url);

      const check = upstreamErrorOf(closingClient.checkToken(ALICE));
      await closing.waitFor((s) => s.requests.users_current === 1);
      await closing.close();

      expect((await check).kind).toBe('network');
    });
  });

  it('should put no token or PoW secret in any error it raised', () => {
    expect(seenErrors.length).toBeGreaterThan(20);
    const secrets = [...tokens, MUTED, ...pow.secrets()];
    for (const error of seenErrors) for (const secret of secrets) expect(errorText(error)).not.toContain(secret);
  });
});
