import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient, namedEventsOf, patchesOf } from './spec-helpers';
import { rawRequest } from '../utils/http/raw-request';

const REPLY = { reasoning: 'abcdefgh', content: 'Hello there, friend.' };

describe('fake DeepSeek: faults', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let sessionId: string;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a', 'tok-b'], powDifficulty: 1000, reply: REPLY });
    alice = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(async () => {
    fake.reset();
    sessionId = await alice.createSession();
  });
  afterAll(() => fake.close());

  const complete = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    alice.complete({ chat_session_id: sessionId, thinking_enabled: true, ...body }, { headers });
  const lastMessage = () => fake.state().sessions[sessionId].messages.at(-1)!;

  it.each([
    ['cloudflare', undefined, 403, '<title>Just a moment...</title>'],
    ['cloudwaf', undefined, 403, '访问被拦截！'],
    ['aws', undefined, 202, '<html'],
    ['cloudflare', 503, 503, 'Just a moment...'],
  ] as const)('should answer waf_html %s (status %s) with an HTML page', async (variant, status, expected, marker) => {
    fake.addFault({ fault: 'waf_html', endpoint: 'completion', params: { variant, status } });
    const res = await complete();
    expect(res.status).toBe(expected);
    expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
    expect(res.text).toContain(marker);
    if (variant === 'aws') expect(res.headers['x-amzn-waf-action']).toBe('challenge');
    expect((await complete()).status).toBe(200);
  });

  it('should answer auth_40003 on any endpoint, and kill the token when permanent', async () => {
    fake.addFault({ fault: 'auth_40003', endpoint: 'chat_session_create' });
    expect((await alice.json('/api/v0/chat_session/create', {})).code).toBe(40003);
    expect((await alice.json('/api/v0/chat_session/create', {})).code).toBe(0);
    fake.addFault({ fault: 'auth_40003', account: 'tok-a', params: { permanent: true } });
    expect((await alice.json('/api/v0/users/current')).code).toBe(40003);
    expect((await alice.json('/api/v0/users/current')).code).toBe(40003);
    expect(fake.state().accounts['tok-a'].dead).toBe(true);
    expect((await new FakeClient(fake.url, 'tok-b').json('/api/v0/users/current')).code).toBe(0);
  });

  it('should mute the account with the muted fault, and keep it muted', async () => {
    fake.addFault({ fault: 'muted', endpoint: 'completion', params: { seconds: 120 } });
    const res = JSON.parse((await complete()).text);
    expect(res.data).toMatchObject({ biz_code: 5, biz_msg: 'user is muted', biz_data: { is_muted: 1 } });
    expect(res.data.biz_data.mute_until).toBeGreaterThan(Date.now() / 1000 + 100);
    expect(JSON.parse((await complete()).text).data.biz_code).toBe(5);
    expect((await alice.json('/api/v0/users/current')).data.biz_data.chat.is_muted).toBe(1);
  });

  it('should throttle with 40029, or with HTTP 429', async () => {
    fake.addFault(
      { fault: 'throttle', endpoint: 'completion' },
      { fault: 'throttle', endpoint: 'completion', params: { http429: true } },
    );
    const envelope = await complete();
    expect(envelope.status).toBe(200);
    expect(JSON.parse(envelope.text)).toEqual({
      code: 40029,
      msg: 'Messages too frequent. Try again later.',
      data: null,
    });
    const http = await complete();
    expect(http.status).toBe(429);
  });

  it('should refuse as busy in either form without a generation in flight', async () => {
    fake.addFault({ fault: 'busy', params: { form: 'sse' } }, { fault: 'busy', params: { form: 'envelope' } });
    // The busy faults are consumed by the next requests of any endpoint: go straight to completion.
    const sse = await alice.complete({ chat_session_id: sessionId }, { pow: 'x' });
    expect(JSON.parse(sse.events[0].data)).toMatchObject({
      type: 'error',
      content: expect.stringContaining('being generated'),
    });
    const envelope = await alice.complete({ chat_session_id: sessionId }, { pow: 'x' });
    expect(JSON.parse(envelope.text).data).toMatchObject({
      biz_code: 1,
      biz_msg: expect.stringContaining('being generated'),
    });
  });

  it('should end with a hint error after afterTokens tokens', async () => {
    fake.addFault({
      fault: 'hint_error',
      params: { afterTokens: 3, message: 'Server busy', finish_reason: 'rate_limit_reached' },
    });
    const res = await complete();
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'hint', 'close']);
    const hint = res.events.find((e) => e.event === 'hint')!;
    expect(JSON.parse(hint.data)).toEqual({
      type: 'error',
      content: 'Server busy',
      clear_response: true,
      finish_reason: 'rate_limit_reached',
    });
    expect(decodeStream(res.events).reasoning).toBe('abcdef'.slice(0, decodeStream(res.events).reasoning.length));
    expect(patchesOf(res.events).some((f) => f.p === 'response/status')).toBe(false);
    expect(lastMessage().status).toBe('ERROR');
    expect(fake.state().accounts['tok-a'].inFlight).toBe(0);
  });

  it('should destroy the socket on disconnect', async () => {
    fake.addFault({ fault: 'disconnect', params: { afterTokens: 2 } });
    const res = await complete();
    expect(res.cut).toBe(true);
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session']);
    expect(patchesOf(res.events)).toHaveLength(2);
    expect(lastMessage().status).toBe('ERROR');
  });

  it('should stall without heartbeats for ms, then end without a terminal status', async () => {
    fake.configure({ heartbeatIntervalMs: 10 });
    fake.addFault({ fault: 'stall', params: { afterTokens: 1, ms: 150 } });
    const started = Date.now();
    const res = await complete();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(res.text).not.toContain(': \n');
    expect(patchesOf(res.events)).toHaveLength(1);
    expect(lastMessage().status).toBe('ERROR');
  });

  it('should keep a stalled stream open until the client gives up, then release the account', async () => {
    fake.addFault({ fault: 'stall', params: { afterTokens: 1 } });
    const res = await alice.complete({ chat_session_id: sessionId }, { dropWhen: () => true });
    expect(res.cut).toBe(true);
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 0 && s.aborts.length === 1);
  });

  it('should end INCOMPLETE with the §7.7 sequence', async () => {
    fake.addFault({ fault: 'incomplete', params: { afterTokens: 2 } });
    const res = await complete();
    const frames = patchesOf(res.events);
    expect(frames.slice(-3)).toEqual([
      {
        p: 'response',
        o: 'BATCH',
        v: [
          { p: 'accumulated_token_usage', v: 3 + 2 },
          { p: 'quasi_status', v: 'INCOMPLETE' },
        ],
      },
      { p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: expect.any(Number) },
      { p: 'response/status', o: 'SET', v: 'INCOMPLETE' },
    ]);
    expect(namedEventsOf(res.events)).toEqual([
      'ready',
      'update_session',
      'finish',
      'update_session',
      'title',
      'close',
    ]);
    expect(lastMessage()).toMatchObject({
      status: 'INCOMPLETE',
      reasoning: 'abc',
      content: '',
      accumulatedTokenUsage: 5,
    });
  });

  it('should filter content with a TEMPLATE_RESPONSE (template shape)', async () => {
    fake.addFault({ fault: 'content_filter', params: { afterTokens: 6 } });
    const res = await complete();
    const frames = patchesOf(res.events);
    expect(frames.at(-2)).toMatchObject({
      p: 'response',
      o: 'BATCH',
      v: [{ p: 'accumulated_token_usage' }, { v: 'FINISHED' }],
    });
    expect(frames.at(-1)).toEqual({
      v: [
        { p: 'ban_regenerate', v: true },
        { p: 'status', v: 'CONTENT_FILTER' },
        {
          p: 'fragments',
          v: [{ id: 4, type: 'TEMPLATE_RESPONSE', content: '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。' }],
        },
        { p: 'quasi_status', v: 'CONTENT_FILTER' },
      ],
    });
    const decoded = decodeStream(res.events);
    expect(decoded).toMatchObject({
      status: 'CONTENT_FILTER',
      content: '',
      template: '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。',
    });
    expect(lastMessage().status).toBe('CONTENT_FILTER');
  });

  it('should filter content in the short shape', async () => {
    fake.addFault({ fault: 'content_filter', params: { afterTokens: 1, shape: 'short' } });
    const res = await complete({ thinking_enabled: false });
    expect(patchesOf(res.events).at(-1)).toEqual({
      p: 'response',
      v: [
        { p: 'status', v: 'CONTENT_FILTER' },
        { p: 'accumulated_token_usage', v: 3 + 1 },
      ],
    });
    expect(decodeStream(res.events).status).toBe('CONTENT_FILTER');
  });

  it('should end with CONTEXT_LENGTH_EXCEEDED and no answer', async () => {
    fake.addFault({ fault: 'context_length' });
    const res = await complete();
    const decoded = decodeStream(res.events);
    expect(decoded).toMatchObject({ status: 'CONTEXT_LENGTH_EXCEEDED', reasoning: '', content: '' });
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'finish', 'update_session', 'close']);
  });

  it('should delay the first byte with slow_first_byte', async () => {
    fake.addFault({ fault: 'slow_first_byte', endpoint: 'completion', params: { ms: 150 } });
    const started = Date.now();
    const res = await complete();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(decodeStream(res.events).status).toBe('FINISHED');
  });

  it('should refuse expert once with model_unavailable', async () => {
    fake.addFault({ fault: 'model_unavailable', endpoint: 'completion' });
    expect(JSON.parse((await complete({ model_type: 'expert' })).text).data.biz_msg).toBe('model type not available');
    expect((await complete({ model_type: 'expert' })).status).toBe(200);
  });

  it('should consume faults per account and endpoint, in order, `times` times, visible in state', async () => {
    const [first] = fake.addFault(
      { fault: 'throttle', account: 'tok-b', times: 2 },
      { fault: 'waf_html', endpoint: 'users_current', times: 2 },
      { fault: 'auth_40003', endpoint: 'users_current' },
    );
    expect(fake.state().faults.queued.map((f) => [f.fault, f.remaining])).toEqual([
      ['throttle', 2],
      ['waf_html', 2],
      ['auth_40003', 1],
    ]);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const res = await rawRequest(`${fake.url}/api/v0/users/current`, undefined, {
        headers: { authorization: 'Bearer tok-a' },
      });
      codes.push(res.status === 200 ? JSON.parse(res.text).code : res.status);
    }
    expect(codes).toEqual([403, 403, 40003, 0]);
    const state = fake.state();
    expect(state.faults.queued).toEqual([expect.objectContaining({ id: first.id, remaining: 2 })]);
    expect(state.faults.consumed.map((f) => f.fault)).toEqual(['waf_html', 'waf_html', 'auth_40003']);
    fake.reset();
    expect(fake.state().faults).toEqual({ queued: [], consumed: [] });
  });

  it('should emit faults in Format B and Format A too', async () => {
    fake.addFault({ fault: 'incomplete', params: { afterTokens: 1 } });
    const b = await complete({}, { 'x-fake-format': 'B' });
    expect(patchesOf(b.events).slice(-2)).toEqual([
      { p: 'response/thinking_elapsed_secs', o: 'SET', v: expect.any(Number) },
      { p: 'response/status', o: 'SET', v: 'INCOMPLETE' },
    ]);
    fake.addFault({ fault: 'hint_error' });
    const a = await complete({ parent_message_id: 2 }, { 'x-fake-format': 'A' });
    expect(a.events.map((e) => JSON.parse(e.data).type ?? 'chunk')).toEqual(['error']);
  });
});
