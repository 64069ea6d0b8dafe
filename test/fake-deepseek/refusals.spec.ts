import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { FakeClient, powHeader, solvePow } from './spec-helpers';
import { sseEvents } from '../utils/sse/sse-reader';

const MISSING = { code: 40300, msg: 'MISSING_HEADER', data: null };
const INVALID = { code: 40301, msg: 'INVALID_POW_RESPONSE', data: null };
const BUSY = 'A message is being generated, please try again later.';

describe('fake DeepSeek: refusals', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let bob: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a', 'tok-b'], powDifficulty: 1000 });
    alice = new FakeClient(fake.url, 'tok-a');
    bob = new FakeClient(fake.url, 'tok-b');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  const body = (res: { text: string }) => JSON.parse(res.text);
  const lastReason = () => fake.state().pow.rejected.at(-1)?.reason;

  describe('PoW', () => {
    let sessionId: string;
    beforeEach(async () => {
      sessionId = await alice.createSession();
    });

    it('should refuse a missing header with 40300 MISSING_HEADER', async () => {
      expect(body(await alice.complete({ chat_session_id: sessionId }, { pow: null }))).toEqual(MISSING);
    });

    it.each([
      ['not base64', '***'],
      ['not JSON', Buffer.from('{nope').toString('base64')],
      ['missing keys', Buffer.from('{"algorithm":"DeepSeekHashV1"}').toString('base64')],
    ])('should refuse a header that is %s with 40301', async (_name, header) => {
      expect(body(await alice.complete({ chat_session_id: sessionId }, { pow: header }))).toEqual(INVALID);
    });

    it('should refuse a wrong answer, an unknown algorithm and a forged signature', async () => {
      const challenge = await alice.challenge();
      const answer = solvePow(challenge);
      for (const [override, reason] of [
        [{ answer: (answer + 1) % 1000 }, 'wrong answer'],
        [{ answer: 1000 }, 'answer out of range'],
        [{ algorithm: 'SHA256' }, 'unknown algorithm'],
        [{ signature: '0'.repeat(64) }, 'bad signature'],
      ] as const) {
        const res = await alice.complete(
          { chat_session_id: sessionId },
          { pow: powHeader(challenge, answer, override) },
        );
        expect(body(res)).toEqual(INVALID);
        expect(lastReason()).toBe(reason);
      }
      const ok = await alice.complete({ chat_session_id: sessionId }, { pow: powHeader(challenge, answer) });
      expect(ok.status).toBe(200);
    });

    it('should refuse a reused answer', async () => {
      const first = await alice.complete({ chat_session_id: sessionId });
      expect(first.headers['content-type']).toMatch(/event-stream/);
      const again = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 }, { pow: first.pow });
      expect(body(again)).toEqual(INVALID);
      expect(lastReason()).toBe('challenge already used');
    });

    it('should refuse an expired answer', async () => {
      fake.configure({ powExpireMs: 0 });
      const header = await alice.solvedHeader();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(body(await alice.complete({ chat_session_id: sessionId }, { pow: header }))).toEqual(INVALID);
      expect(lastReason()).toBe('challenge expired');
    });

    it('should refuse an answer to another account’s challenge', async () => {
      const header = await bob.solvedHeader();
      expect(body(await alice.complete({ chat_session_id: sessionId }, { pow: header }))).toEqual(INVALID);
      expect(lastReason()).toBe('challenge issued to another account');
    });

    it('should refuse an answer for another target path', async () => {
      const challenge = await alice.challenge('/api/v0/file/upload_file');
      const header = powHeader(challenge, solvePow(challenge));
      expect(body(await alice.complete({ chat_session_id: sessionId }, { pow: header }))).toEqual(INVALID);
      expect(lastReason()).toBe('target_path does not match the endpoint');
    });

    it('should skip verification when verifyPow is false', async () => {
      fake.configure({ verifyPow: false });
      const res = await alice.complete({ chat_session_id: sessionId }, { pow: null });
      expect(res.status).toBe(200);
      expect(sseEvents(res.text)[0].event).toBe('ready');
    });
  });

  it('should refuse an unknown session and another account’s session with biz_code 1', async () => {
    const invalid = { code: 0, msg: '', data: { biz_code: 1, biz_msg: 'invalid chat session id', biz_data: null } };
    expect(body(await alice.complete({ chat_session_id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e' }))).toEqual(invalid);
    const bobs = await bob.createSession();
    expect(body(await alice.complete({ chat_session_id: bobs }))).toEqual(invalid);
    const deleted = await alice.createSession();
    await alice.json('/api/v0/chat_session/delete', { chat_session_id: deleted });
    expect(body(await alice.complete({ chat_session_id: deleted }))).toEqual(invalid);
  });

  it('should refuse a parent that is not a message of the session with biz_code 26', async () => {
    const sessionId = await alice.createSession();
    const invalid = { code: 0, msg: '', data: { biz_code: 26, biz_msg: 'invalid message id', biz_data: null } };
    expect(body(await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 }))).toEqual(invalid);
    await alice.complete({ chat_session_id: sessionId });
    expect(body(await alice.complete({ chat_session_id: sessionId, parent_message_id: 3 }))).toEqual(invalid);
    expect(body(await alice.complete({ chat_session_id: sessionId, parent_message_id: 'two' }))).toEqual(invalid);
    expect((await alice.complete({ chat_session_id: sessionId, parent_message_id: '1' })).status).toBe(200);
  });

  it('should refuse a second generation on a busy account in the SSE form', async () => {
    fake.configure({ tokenDelayMs: 20 });
    const sessionId = await alice.createSession();
    const first = alice.complete({ chat_session_id: sessionId });
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 1);
    const second = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 });
    expect(second.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(second.events).toEqual([
      { event: 'message', data: JSON.stringify({ type: 'error', content: BUSY, clear_response: true }) },
    ]);
    const otherAccount = await bob.complete({ chat_session_id: await bob.createSession() });
    expect(otherAccount.events[0].event).toBe('ready');
    await first;
    const state = fake.state();
    expect(state.accounts['tok-a']).toMatchObject({ inFlight: 0, maxInFlight: 1, busyRefusals: 1 });
    expect(state.sessions[sessionId].messages).toHaveLength(1);
  });

  it('should refuse a second generation on a busy account in the envelope form', async () => {
    fake.configure({ tokenDelayMs: 20, busyForm: 'envelope' });
    const sessionId = await alice.createSession();
    const first = alice.complete({ chat_session_id: sessionId });
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 1);
    const second = await alice.complete({ chat_session_id: sessionId });
    expect(body(second)).toEqual({ code: 0, msg: '', data: { biz_code: 1, biz_msg: BUSY, biz_data: null } });
    await first;
  });

  it('should refuse a muted account with biz_code 5 before checking the PoW', async () => {
    const until = Date.now() / 1000 + 600;
    fake.configure({ accounts: { 'tok-a': { mutedUntil: until } } });
    const res = await alice.complete({ chat_session_id: 'whatever' }, { pow: null });
    expect(body(res)).toEqual({
      code: 0,
      msg: '',
      data: { biz_code: 5, biz_msg: 'user is muted', biz_data: { is_muted: 1, mute_until: until } },
    });
    expect((await alice.json('/api/v0/users/current')).data.biz_data.chat).toEqual({ is_muted: 1, mute_until: until });
  });

  it('should refuse an unknown token with 40003 before anything else', async () => {
    const stranger = new FakeClient(fake.url, 'tok-x');
    expect(body(await stranger.complete({ chat_session_id: 'x' }, { pow: null }))).toEqual({
      code: 40003,
      msg: 'Authorization Failed (invalid token)',
      data: null,
    });
  });

  it('should refuse unavailable model types with biz_code 1', async () => {
    const sessionId = await alice.createSession();
    const unavailable = {
      code: 0,
      msg: '',
      data: { biz_code: 1, biz_msg: 'model type not available', biz_data: null },
    };
    expect(body(await alice.complete({ chat_session_id: sessionId, model_type: 'ultra' }))).toEqual(unavailable);
    fake.configure({ unavailableModels: ['expert', 'vision'] });
    expect(body(await alice.complete({ chat_session_id: sessionId, model_type: 'expert' }))).toEqual(unavailable);
    expect(body(await alice.complete({ chat_session_id: sessionId, model_type: 'vision' }))).toEqual(unavailable);
    expect((await alice.complete({ chat_session_id: sessionId, model_type: 'default' })).status).toBe(200);
  });

  it('should refuse unknown ref_file_ids with biz_code 9', async () => {
    const res = await alice.complete({ chat_session_id: await alice.createSession(), ref_file_ids: ['file-x'] });
    expect(body(res).data).toMatchObject({ biz_code: 9, biz_msg: 'invalid ref file id' });
  });

  it('should refuse a body without a prompt with a FastAPI-style 422', async () => {
    const res = await alice.complete({ chat_session_id: await alice.createSession(), prompt: undefined });
    expect(res.status).toBe(422);
    expect(body(res).detail[0].loc).toEqual(['body', 'prompt']);
  });
});
