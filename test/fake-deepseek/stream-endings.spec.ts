import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient, namedEventsOf, patchesOf } from './spec-helpers';

const REPLY = { reasoning: 'abcdefgh', content: 'Hello there, friend.' };
const STATUS_FAULTS = [
  ['content_too_long', 'CONTENT_TOO_LONG'],
  ['cancelled', 'CANCELLED'],
  ['content_empty', 'CONTENT_EMPTY'],
] as const;
const THROTTLED = 'Messages too frequent. Try again later.';

describe('fake DeepSeek: 2026 stream endings', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let sessionId: string;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000, reply: REPLY });
    alice = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(async () => {
    fake.reset();
    sessionId = await alice.createSession();
  });
  afterAll(() => fake.close());

  const complete = (format: string, body: Record<string, unknown> = {}) =>
    alice.complete({ chat_session_id: sessionId, ...body }, { headers: { 'x-fake-format': format } });
  const lastMessage = () => fake.state().sessions[sessionId].messages.at(-1)!;

  describe.each(STATUS_FAULTS)('%s', (fault, status) => {
    it(`should end with ${status} after afterTokens tokens, closing events and no title (C)`, async () => {
      fake.addFault({ fault, params: { afterTokens: 2 } });
      const res = await complete('C');
      expect(patchesOf(res.events).slice(-2)).toEqual([
        {
          p: 'response',
          o: 'BATCH',
          v: [
            { p: 'accumulated_token_usage', v: 3 + 2 },
            { p: 'quasi_status', v: status },
          ],
        },
        { p: 'response/status', o: 'SET', v: status },
      ]);
      expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'finish', 'update_session', 'close']);
      expect(res.events.at(-1)!.data).toBe('{"click_behavior":"none","auto_resume":false}');
      expect(decodeStream(res.events)).toMatchObject({ status, content: REPLY.content.slice(0, 3) });
      expect(lastMessage()).toMatchObject({ status, content: REPLY.content.slice(0, 3), accumulatedTokenUsage: 5 });
      expect(fake.state().accounts['tok-a'].inFlight).toBe(0);
    });

    it(`should end with ${status} in Format B`, async () => {
      fake.addFault({ fault, params: { afterTokens: 1 } });
      const res = await complete('B', { thinking_enabled: true });
      expect(patchesOf(res.events).slice(-2)).toEqual([
        {
          p: 'response',
          o: 'BATCH',
          v: [
            { p: 'accumulated_token_usage', v: 3 + 1 },
            { p: 'quasi_status', v: status },
          ],
        },
        { p: 'response/status', o: 'SET', v: status },
      ]);
      expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'finish', 'update_session', 'close']);
      expect(decodeStream(res.events)).toMatchObject({ status, reasoning: REPLY.reasoning.slice(0, 2) });
      expect(lastMessage().status).toBe(status);
    });

    it(`should end with finish_reason ${status.toLowerCase()} in Format A`, async () => {
      fake.addFault({ fault, params: { afterTokens: 1 } });
      const res = await complete('A');
      const last = JSON.parse(res.events.at(-2)!.data);
      expect(last.choices[0]).toMatchObject({ finish_reason: status.toLowerCase(), delta: { content: '' } });
      expect(res.events.at(-1)!.data).toBe('[DONE]');
      expect(decodeStream(res.events)).toMatchObject({ content: REPLY.content.slice(0, 2), usage: 3 + 1 });
      expect(lastMessage().status).toBe(status);
    });
  });

  it('should end CONTENT_EMPTY without any content by default', async () => {
    fake.addFault({ fault: 'content_empty' });
    const res = await complete('C', { thinking_enabled: true });
    expect(decodeStream(res.events)).toMatchObject({ status: 'CONTENT_EMPTY', reasoning: '', content: '', usage: 3 });
    expect(lastMessage()).toMatchObject({ status: 'CONTENT_EMPTY', reasoning: '', content: '' });
  });

  it('should not make CONTENT_TOO_LONG, CANCELLED or CONTENT_EMPTY messages continuable', async () => {
    fake.addFault({ fault: 'cancelled', params: { afterTokens: 1 } });
    const res = await complete('C');
    const refused = await alice.continue({ chat_session_id: sessionId, message_id: 2 }, res.pow);
    expect(JSON.parse(refused.text).data).toMatchObject({ biz_code: 26 });
  });

  it.each(['C', 'B'])('should close with click_behavior retry and no terminal status (%s)', async (format) => {
    fake.addFault({ fault: 'close_retry', params: { afterTokens: 2 } });
    const res = await complete(format);
    expect(res.cut).toBe(false);
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'close']);
    expect(res.events.at(-1)!.data).toBe('{"click_behavior":"retry","auto_resume":false}');
    expect(res.text).not.toMatch(/response\/status|quasi_status/);
    expect(decodeStream(res.events)).toMatchObject({ status: 'WIP', content: REPLY.content.slice(0, 3) });
    expect(lastMessage()).toMatchObject({ status: 'ERROR', content: REPLY.content.slice(0, 3) });
    expect(fake.state().accounts['tok-a'].inFlight).toBe(0);
  });

  it('should end a close_retry stream in Format A without [DONE] or a finish_reason', async () => {
    fake.addFault({ fault: 'close_retry', params: { afterTokens: 2 } });
    const res = await complete('A');
    expect(res.cut).toBe(false);
    expect(res.events.map((e) => e.data)).not.toContain('[DONE]');
    expect(res.events.every((e) => JSON.parse(e.data).choices[0].finish_reason === undefined)).toBe(true);
    expect(decodeStream(res.events).content).toBe(REPLY.content.slice(0, 3));
    expect(lastMessage().status).toBe('ERROR');
  });

  it.each(['C', 'B'])('should send a rate_limit_reached hint error (%s)', async (format) => {
    fake.addFault({
      fault: 'hint_error',
      params: { afterTokens: 1, message: THROTTLED, finish_reason: 'rate_limit_reached' },
    });
    const res = await complete(format);
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'hint', 'close']);
    expect(JSON.parse(res.events.find((e) => e.event === 'hint')!.data)).toEqual({
      type: 'error',
      content: THROTTLED,
      clear_response: true,
      finish_reason: 'rate_limit_reached',
    });
    expect(lastMessage().status).toBe('ERROR');
  });

  it('should send a rate_limit_reached error object in Format A', async () => {
    fake.addFault({ fault: 'hint_error', params: { message: THROTTLED, finish_reason: 'rate_limit_reached' } });
    const res = await complete('A');
    expect(res.events.map((e) => JSON.parse(e.data))).toEqual([
      { type: 'error', content: THROTTLED, clear_response: true, finish_reason: 'rate_limit_reached' },
    ]);
  });
});
