import type { FakeDeepSeek } from '../../test/fake-deepseek';
import type { HttpDeepSeekClient } from './http-deepseek.client';
import {
  ALICE,
  BOB,
  ClientFactory,
  useClientRig,
  collect,
  completionOptions,
  errorText,
  MUTED,
  RecordingPowSolver,
  seenErrors,
  sendJsonText,
  startStub,
  STRANGER,
  upstreamErrorOf,
  USER_AGENT,
} from '../../test/utils/deepseek/client-kit';

jest.setTimeout(60_000);

const MUTED_UNTIL_SECS = Math.floor(Date.now() / 1000) + 7200 + 0.25;
const LONG_REPLY = { reasoning: '', content: 'word '.repeat(200) };

describe('HttpDeepSeekClient calls', () => {
  let fake: FakeDeepSeek;
  let pow: RecordingPowSolver;
  let clients: ClientFactory;
  let client: HttpDeepSeekClient;

  const rig = useClientRig({
    accounts: { [ALICE]: {}, [BOB]: {}, [MUTED]: { mutedUntil: MUTED_UNTIL_SECS } },
  });
  beforeAll(() => ({ fake, pow, clients, client } = rig));

  describe('checkToken', () => {
    it('should report a live account as not muted', async () => {
      await expect(client.checkToken(ALICE)).resolves.toEqual({ mutedUntilMs: null });
      expect(fake.state().requests.users_current).toBe(1);
    });

    it('should report when a muted account is muted until, in milliseconds', async () => {
      await expect(client.checkToken(MUTED)).resolves.toEqual({ mutedUntilMs: Math.round(MUTED_UNTIL_SECS * 1000) });
    });

    it('should reject a dead token as auth, keeping the upstream message', async () => {
      const error = await upstreamErrorOf(client.checkToken(STRANGER));

      expect(error.kind).toBe('auth');
      expect(error.details).toMatchObject({
        endpoint: 'users/current',
        code: 40003,
        upstreamMessage: 'Authorization Failed (invalid token)',
      });
    });

    it('should accept the answer with the legacy data.token field as well', async () => {
      fake.configure({ legacyTokenField: true });

      await expect(client.checkToken(ALICE)).resolves.toEqual({ mutedUntilMs: null });
    });

    describe('against answer shapes the fake does not send', () => {
      /** Answers by bearer token: the token is the only per-call input of checkToken. */
      const answers = new Map<string, string>();
      let stub: Awaited<ReturnType<typeof startStub>>;
      let stubClient: HttpDeepSeekClient;

      beforeAll(async () => {
        stub = await startStub((req, res) => {
          const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
          sendJsonText(res, 200, answers.get(token) ?? '{}');
        });
        stubClient = clients.create(stub.url);
      });

      afterAll(() => stub.close());

      const check = (shape: string, json: object) => {
        const token = `tok-${shape.replace(/\W+/g, '-')}`;
        answers.set(token, JSON.stringify(json));
        return stubClient.checkToken(token);
      };

      it.each([
        ['pre-2025-04, token under data', { code: 0, msg: '', data: { token: 'x', chat: { is_muted: 0 } } }],
        ['no token at all', { code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: { id: 'u1' } } }],
      ])('should treat a code-0 answer as live: %s', async (shape, json) => {
        await expect(check(shape, json)).resolves.toEqual({ mutedUntilMs: null });
      });

      it('should call an answer without account data a bad response, not a dead token', async () => {
        const error = await upstreamErrorOf(check('null data', { code: 0, msg: '', data: null }));

        expect(error.kind).toBe('bad_response');
      });
    });
  });

  describe('session creation', () => {
    it.each(['flat', 'nested'] as const)('should read the session id from the %s answer shape', async (shape) => {
      fake.configure({ sessionShape: shape });

      const completion = await client.startCompletion(completionOptions(ALICE));
      await collect(completion.events);

      const session = fake.state().sessions[completion.sessionId];
      expect(session).toMatchObject({ account: ALICE, deleted: false });
      expect(session.messages[0].status).toBe('FINISHED');
    });

    it('should skip session creation when continuing a session', async () => {
      const first = await client.startCompletion(completionOptions(ALICE));
      await collect(first.events);

      await collect((await client.startCompletion(completionOptions(ALICE, { sessionId: first.sessionId }))).events);

      expect(fake.state().requests.chat_session_create).toBe(1);
    });

    it('should run session creation and the PoW challenge concurrently', async () => {
      let releaseSolve!: () => void;
      const solveHeld = new Promise<void>((resolve) => (releaseSolve = resolve));
      let solveStarted!: () => void;
      const started = new Promise<void>((resolve) => (solveStarted = resolve));
      pow.onSolve = () => {
        solveStarted();
        return solveHeld;
      };

      const completion = client.startCompletion(completionOptions(ALICE));
      await started;
      // The solve is held, yet the session gets created: the two do not wait for each other.
      const during = await fake.waitFor((s) => Object.keys(s.sessions).length === 1);
      expect(during.requests.completion).toBeUndefined();
      releaseSolve();

      const result = await collect((await completion).events);
      expect(result.statuses.at(-1)).toBe('FINISHED');
    });

    it('should ask for the challenge while session creation is still waiting for its answer', async () => {
      fake.addFault({ fault: 'slow_first_byte', endpoint: 'chat_session_create', params: { ms: 60_000 } });
      const controller = new AbortController();

      const completion = client.startCompletion(completionOptions(ALICE, { signal: controller.signal }));
      const during = await fake.waitFor((s) => s.pow.issued === 1 && pow.headers.length > 0);
      controller.abort();

      expect(during.requests.chat_session_create).toBe(1);
      expect(Object.keys(during.sessions)).toHaveLength(0);
      await expect(completion).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('request headers', () => {
    it('should send the honest web-client headers on every call and no cookie', async () => {
      const completion = await client.startCompletion(completionOptions(ALICE));
      await collect(completion.events);
      await client.checkToken(ALICE);

      const { lastHeaders } = fake.state();
      const origin = new URL(fake.url).origin;
      const endpoints = ['users_current', 'chat_session_create', 'create_pow_challenge', 'completion'] as const;
      for (const endpoint of endpoints) {
        const headers = lastHeaders[endpoint];
        expect(headers).toMatchObject({
          authorization: 'Bearer <redacted>',
          'user-agent': USER_AGENT,
          'x-client-platform': 'web',
          'x-client-version': '1.7.0',
          'x-app-version': '20260401.1',
          'x-client-locale': 'en_US',
          'accept-language': 'en-US,en;q=0.9',
          origin,
          referer: `${origin}/`,
        });
        expect(headers).not.toHaveProperty('cookie');
      }
      expect(lastHeaders.users_current?.accept).toBe('application/json');
      expect(lastHeaders.chat_session_create).toMatchObject({
        accept: 'application/json',
        'content-type': 'application/json',
      });
      expect(lastHeaders.completion).toMatchObject({
        accept: 'text/event-stream',
        'content-type': 'application/json',
        'x-ds-pow-response': '<redacted>',
      });
      expect(lastHeaders.create_pow_challenge).not.toHaveProperty('x-ds-pow-response');
      expect(lastHeaders.chat_session_create).not.toHaveProperty('x-ds-pow-response');
    });

    it('should send a PoW header the fake verifies: real challenge, answer and signature', async () => {
      await collect((await client.startCompletion(completionOptions(ALICE))).events);

      expect(fake.state().pow).toEqual({ issued: 1, verified: 1, rejected: [] });
      const decoded = JSON.parse(Buffer.from(pow.headers.at(-1) ?? '', 'base64').toString('utf8'));
      expect(Object.keys(decoded)).toEqual(['algorithm', 'challenge', 'salt', 'answer', 'signature', 'target_path']);
      expect(decoded).toMatchObject({ algorithm: 'DeepSeekHashV1', target_path: '/api/v0/chat/completion' });
    });
  });

  describe('stopStream', () => {
    it('should stop a running generation and free the account', async () => {
      fake.configure({ reply: LONG_REPLY, tokenDelayMs: 20 });
      const stopping = clients.create(fake.url, { maxContinueRounds: 0 });
      const completion = await stopping.startCompletion(completionOptions(ALICE));
      expect(fake.state().accounts[ALICE].inFlight).toBe(1);

      let stopped = false;
      const result = await collect(completion.events, (event) => {
        if (event.type !== 'content' || stopped) return;
        stopped = true;
        void stopping.stopStream(ALICE, completion.sessionId, completion.responseMessageId ?? 0);
      });

      expect(result.statuses.at(-1)).toBe('INCOMPLETE');
      expect(result.content.length).toBeLessThan(LONG_REPLY.content.length);
      const state = await fake.waitFor((s) => s.accounts[ALICE].inFlight === 0);
      expect(state.requests.stop_stream).toBe(1);
      expect(state.sessions[completion.sessionId].messages[0].status).toBe('INCOMPLETE');
    });

    it('should never throw, even when the upstream refuses', async () => {
      await expect(client.stopStream(ALICE, '00000000-0000-4000-8000-000000000000', 2)).resolves.toBeUndefined();
      await expect(client.stopStream(STRANGER, '00000000-0000-4000-8000-000000000000', 2)).resolves.toBeUndefined();
      expect(fake.state().requests.stop_stream).toBe(2);
    });
  });

  describe('deleteSession', () => {
    it('should delete the session at the upstream', async () => {
      const completion = await client.startCompletion(completionOptions(ALICE));
      await collect(completion.events);

      await client.deleteSession(ALICE, completion.sessionId);

      expect(fake.state().sessions[completion.sessionId].deleted).toBe(true);
    });

    it('should reject with the UpstreamError of a refusal', async () => {
      const error = await upstreamErrorOf(client.deleteSession(STRANGER, '00000000-0000-4000-8000-000000000000'));

      expect(error.kind).toBe('auth');
      expect(error.details.endpoint).toBe('chat_session/delete');
    });
  });

  it('should put no token or PoW secret in any error it raised', () => {
    expect(seenErrors.length).toBeGreaterThan(0);
    const secrets = [ALICE, BOB, MUTED, STRANGER, ...pow.secrets()];
    for (const error of seenErrors) for (const secret of secrets) expect(errorText(error)).not.toContain(secret);
  });
});
