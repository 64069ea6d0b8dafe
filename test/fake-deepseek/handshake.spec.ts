import { type FakeDeepSeek, startFakeDeepSeek, tokenize } from './index';
import { decodeStream, FakeClient, namedEventsOf, patchesOf, powHeader, solvePow } from './spec-helpers';
import { rawRequest } from '../utils/http/raw-request';
import { sseEvents } from '../utils/sse/sse-reader';

const REPLY = { reasoning: 'Think: 2 + 2.\n\nDone 🤔.', content: '# Title\n\n- one 👨‍👩‍👧 two\n\n```ts\nx\n```' };
const SEARCH = [{ url: 'https://example.com/a', title: 'Example', snippet: 'An example.' }];

describe('fake DeepSeek: handshake and stream formats', () => {
  let fake: FakeDeepSeek;
  let client: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a', 'tok-b'], powDifficulty: 1000, reply: REPLY });
    client = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should validate tokens on users/current', async () => {
    const ok = await client.json('/api/v0/users/current');
    expect(ok).toMatchObject({
      code: 0,
      data: { biz_code: 0, biz_data: { token: 'tok-a', chat: { is_muted: 0, mute_until: null } } },
    });
    expect(ok.data.token).toBeUndefined();
    const bad = await new FakeClient(fake.url, 'nope').json('/api/v0/users/current');
    expect(bad).toEqual({ code: 40003, msg: 'Authorization Failed (invalid token)', data: null });
    fake.configure({ legacyTokenField: true });
    expect((await client.json('/api/v0/users/current')).data.token).toBe('tok-a');
  });

  it('should create sessions in the nested and the flat shape, owned by the caller', async () => {
    const nested = await client.json('/api/v0/chat_session/create', { character_id: null });
    expect(nested.data.biz_data).toMatchObject({
      chat_session: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), model_type: 'default' },
      ttl_seconds: 259200,
    });
    fake.configure({ sessionShape: 'flat' });
    const flat = await client.json('/api/v0/chat_session/create', { agent: 'chat' });
    expect(flat.data.biz_data).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), model_type: 'DEFAULT' });
    const sessions = fake.state().sessions;
    expect(sessions[nested.data.biz_data.chat_session.id].account).toBe('tok-a');
    expect(sessions[flat.data.biz_data.id].account).toBe('tok-a');
  });

  it('should issue real DeepSeekHashV1 challenges', async () => {
    const challenge = await client.challenge();
    expect(challenge).toMatchObject({
      algorithm: 'DeepSeekHashV1',
      challenge: expect.stringMatching(/^[0-9a-f]{64}$/),
      salt: expect.stringMatching(/^[0-9a-f]{20}$/),
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      difficulty: 1000,
      expire_after: 300000,
      target_path: '/api/v0/chat/completion',
    });
    expect(String(challenge.expire_at)).toMatch(/^\d{13}$/);
    expect(solvePow(challenge)).toBeLessThan(1000);
    expect(await client.json('/api/v0/chat/create_pow_challenge', { target_path: '/elsewhere' })).toMatchObject({
      data: { biz_code: 1, biz_msg: 'invalid target path' },
    });
  });

  it('should stream Format C with thinking exactly as §7.6', async () => {
    const sessionId = await client.createSession();
    const res = await client.complete({ chat_session_id: sessionId, prompt: 'Say hi', thinking_enabled: true });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['x-ds-sse-heartbeat-timeout-secs']).toBe('8');
    expect(res.headers['x-ds-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(namedEventsOf(res.events)).toEqual([
      'ready',
      'update_session',
      'finish',
      'update_session',
      'title',
      'close',
    ]);
    expect(JSON.parse(res.events[0].data)).toEqual({
      request_message_id: 1,
      response_message_id: 2,
      model_type: 'default',
    });

    const frames = patchesOf(res.events);
    const snapshot = frames[0].v.response;
    expect(snapshot).toMatchObject({
      message_id: 2,
      parent_id: 1,
      status: 'WIP',
      thinking_enabled: true,
      has_pending_fragment: false,
    });
    expect(snapshot.fragments).toEqual([
      { id: 2, type: 'THINK', content: 'Th', elapsed_secs: null, references: [], stage_id: 1 },
    ]);
    expect(frames[1]).toEqual({ p: 'response/fragments/-1/content', o: 'APPEND', v: 'i' });
    expect(frames[2]).toEqual({ v: 'nk:' });
    const elapsed = frames.findIndex((f) => f.p === 'response/fragments/-1/elapsed_secs');
    expect(frames[elapsed]).toEqual({ p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: expect.any(Number) });
    expect(frames[elapsed + 1]).toMatchObject({
      p: 'response/fragments',
      o: 'APPEND',
      v: [{ id: 3, type: 'RESPONSE', stage_id: 1 }],
    });
    expect(frames[elapsed + 2]).toMatchObject({ p: 'response/fragments/-1/content', o: 'APPEND' });
    expect(frames.slice(elapsed + 3, -2).every((f) => Object.keys(f).join() === 'v')).toBe(true);
    const tokens = tokenize(REPLY.reasoning).length + tokenize(REPLY.content).length;
    expect(frames.at(-2)).toEqual({
      p: 'response',
      o: 'BATCH',
      v: [
        { p: 'accumulated_token_usage', v: Math.ceil('Say hi'.length / 2) + tokens },
        { p: 'quasi_status', v: 'FINISHED' },
      ],
    });
    expect(frames.at(-1)).toEqual({ p: 'response/status', o: 'SET', v: 'FINISHED' });
    expect(JSON.parse(res.events.at(-2)!.data)).toEqual({ content: 'Say hi' });
    expect(JSON.parse(res.events.at(-1)!.data)).toEqual({ click_behavior: 'none', auto_resume: false });

    const decoded = decodeStream(res.events);
    expect(decoded).toMatchObject({ reasoning: REPLY.reasoning, content: REPLY.content, status: 'FINISHED' });
  });

  it('should stream Format C without thinking in the has_pending_fragment shape', async () => {
    const sessionId = await client.createSession();
    const res = await client.complete({ chat_session_id: sessionId, prompt: 'Hi', thinking_enabled: false });
    const frames = patchesOf(res.events);
    expect(frames[0].v.response).toMatchObject({ fragments: [], has_pending_fragment: true, thinking_enabled: false });
    expect(frames[1]).toEqual({
      p: 'response',
      o: 'BATCH',
      v: [
        { p: 'has_pending_fragment', v: false },
        { p: 'fragments', o: 'APPEND', v: [{ id: 1, type: 'RESPONSE', content: '#', references: [], stage_id: 1 }] },
      ],
    });
    expect(frames[2]).toEqual({ p: 'response/fragments/-1/content', o: 'APPEND', v: ' ' });
    expect(decodeStream(res.events)).toMatchObject({ reasoning: '', content: REPLY.content });
  });

  it('should stream Format B with thinking_content then content', async () => {
    const sessionId = await client.createSession();
    const res = await client.complete(
      { chat_session_id: sessionId, prompt: 'Say hi', thinking_enabled: true },
      { headers: { 'x-fake-format': 'B' } },
    );
    expect(namedEventsOf(res.events)).toEqual([
      'ready',
      'update_session',
      'finish',
      'update_session',
      'title',
      'close',
    ]);
    expect(JSON.parse(res.events[0].data)).toEqual({ request_message_id: 1, response_message_id: 2 });
    const frames = patchesOf(res.events);
    expect(frames[0].v.response).toMatchObject({
      content: '',
      thinking_content: null,
      thinking_elapsed_secs: null,
      status: 'WIP',
    });
    expect(frames[0].v.response.fragments).toBeUndefined();
    expect(frames[1]).toEqual({ p: 'response/thinking_content', o: 'APPEND', v: 'Th' });
    expect(frames[2]).toEqual({ v: 'i' });
    const paths = frames.filter((f) => f.p).map((f) => f.p);
    expect(paths).toEqual([
      'response/thinking_content',
      'response/thinking_elapsed_secs',
      'response/content',
      'response',
      'response/status',
    ]);
    expect(decodeStream(res.events)).toMatchObject({
      reasoning: REPLY.reasoning,
      content: REPLY.content,
      status: 'FINISHED',
    });
  });

  it('should stream Format A with choices/delta chunks and [DONE]', async () => {
    fake.configure({ accounts: { 'tok-a': { format: 'A' } } });
    const sessionId = await client.createSession();
    const res = await client.complete({ chat_session_id: sessionId, prompt: 'Say hi', thinking_enabled: true });
    expect(namedEventsOf(res.events)).toEqual([]);
    expect(res.events.at(-1)!.data).toBe('[DONE]');
    const chunks = res.events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks[0]).toEqual({
      choices: [{ index: 0, delta: { content: '', type: 'thinking' } }],
      model: '',
      chunk_token_usage: 0,
      created: expect.any(Number),
      message_id: 2,
      parent_id: 1,
    });
    expect(chunks.at(-1).choices[0]).toEqual({
      finish_reason: 'stop',
      index: 0,
      delta: { content: '', type: 'text', role: 'assistant' },
    });
    const decoded = decodeStream(res.events);
    expect(decoded).toMatchObject({ reasoning: REPLY.reasoning, content: REPLY.content, status: 'stop' });
    expect(decoded.usage).toBe(Math.ceil(6 / 2) + chunks.filter((c) => c.chunk_token_usage === 1).length);
  });

  it('should emit search results in each format and cite them', async () => {
    fake.configure({ searchResults: SEARCH });
    const sessionId = await client.createSession();
    const c = await client.complete({
      chat_session_id: sessionId,
      prompt: 'q',
      search_enabled: true,
      thinking_enabled: true,
    });
    const tool = patchesOf(c.events).find((f) => f.v?.[0]?.type === 'TOOL_SEARCH');
    expect(tool).toMatchObject({
      p: 'response/fragments',
      o: 'APPEND',
      v: [{ results: [{ ...SEARCH[0], cite_index: 1 }] }],
    });
    expect(decodeStream(c.events).content).toBe(`${REPLY.content}[citation:1]`);

    const b = await client.complete(
      { chat_session_id: sessionId, parent_message_id: 2, prompt: 'q', search_enabled: true },
      { headers: { 'x-fake-format': 'B' } },
    );
    const bFrames = patchesOf(b.events);
    expect(bFrames.filter((f) => f.p?.startsWith('response/search')).map((f) => [f.p, f.o])).toEqual([
      ['response/search_status', 'SET'],
      ['response/search_results', 'SET'],
      ['response/search_results', 'BATCH'],
      ['response/search_status', 'SET'],
    ]);
    expect(decodeStream(b.events).document.response.search_results[0].cite_index).toBe(1);

    const a = await client.complete(
      { chat_session_id: sessionId, parent_message_id: 4, prompt: 'q', search_enabled: true },
      { headers: { 'x-fake-format': 'A' } },
    );
    const delta = patchesOf(a.events.slice(0, -1)).find((f) => f.choices[0].delta.type === 'search_result');
    expect(delta.choices[0].delta.search_results).toEqual(SEARCH);
    expect(decodeStream(a.events).content).toContain('[citation:1]');
  });

  it('should append a TIP fragment when emitTip is set', async () => {
    fake.configure({ emitTip: true, emitFinish: false });
    const res = await client.complete({ chat_session_id: await client.createSession(), prompt: 'x' });
    const frames = patchesOf(res.events);
    expect(frames.at(-3)).toMatchObject({
      p: 'response/fragments',
      o: 'APPEND',
      v: [{ type: 'TIP', style: 'WARNING', hide_on_wip: true }],
    });
    expect(decodeStream(res.events).content).toBe(REPLY.content);
    expect(namedEventsOf(res.events)).toEqual(['ready', 'update_session', 'update_session', 'title', 'close']);
  });

  it('should advance message ids per session, send the title only once and record every message', async () => {
    const sessionId = await client.createSession();
    const first = await client.complete({
      chat_session_id: sessionId,
      prompt: 'A fairly long first prompt that goes past thirty characters',
    });
    const second = await client.complete({ chat_session_id: sessionId, parent_message_id: '2', prompt: 'Second' });
    const branch = await client.complete({ chat_session_id: sessionId, parent_message_id: null, prompt: 'Root again' });
    expect(JSON.parse(second.events[0].data)).toMatchObject({ request_message_id: 3, response_message_id: 4 });
    expect(JSON.parse(branch.events[0].data)).toMatchObject({ request_message_id: 5, response_message_id: 6 });
    expect(decodeStream(first.events).title).toBe('A fairly long first prompt tha');
    expect(namedEventsOf(second.events)).not.toContain('title');

    const recorded = fake.state().sessions[sessionId].messages;
    expect(
      recorded.map((m) => [m.requestMessageId, m.responseMessageId, m.parentMessageId, m.prompt, m.status]),
    ).toEqual([
      [1, 2, null, 'A fairly long first prompt that goes past thirty characters', 'FINISHED'],
      [3, 4, 2, 'Second', 'FINISHED'],
      [5, 6, null, 'Root again', 'FINISHED'],
    ]);
    expect(recorded[1]).toMatchObject({ content: REPLY.content, reasoning: '', format: 'C', rounds: 1 });
  });

  it('should answer with the prompt in echo mode and with a reply hook', async () => {
    fake.configure({ echo: true });
    const sessionId = await client.createSession();
    const echoed = await client.complete({ chat_session_id: sessionId, prompt: 'Repeat: 你好 🌍\n\n  ok' });
    expect(decodeStream(echoed.events).content).toBe('Repeat: 你好 🌍\n\n  ok');
    fake.configure({ replyFor: (req) => ({ content: `${req.modelType}:${req.prompt.length}`, reasoning: 'r' }) });
    const hooked = await client.complete({
      chat_session_id: sessionId,
      parent_message_id: 2,
      prompt: 'abc',
      model_type: 'expert',
      thinking_enabled: true,
    });
    expect(decodeStream(hooked.events)).toMatchObject({ content: 'expert:3', reasoning: 'r' });
    expect(JSON.parse(hooked.events[0].data).model_type).toBe('expert');
  });

  it('should count requests and keep the last headers per endpoint without secrets', async () => {
    const sessionId = await client.createSession();
    await client.complete({ chat_session_id: sessionId }, { headers: { 'x-client-version': '2.0.0' } });
    const state = fake.state();
    expect(state.requests).toMatchObject({ chat_session_create: 1, create_pow_challenge: 1, completion: 1 });
    expect(state.lastHeaders.completion).toMatchObject({
      authorization: 'Bearer <redacted>',
      'x-ds-pow-response': '<redacted>',
      'x-client-version': '2.0.0',
    });
    expect(JSON.stringify(state.lastHeaders)).not.toContain('tok-a');
    expect(state.accounts['tok-a']).toMatchObject({ inFlight: 0, maxInFlight: 1, generations: 1 });
    expect(state.pow).toMatchObject({ issued: 1, verified: 1, rejected: [] });
  });

  it('should delete only the caller’s sessions', async () => {
    const mine = await client.createSession();
    const other = new FakeClient(fake.url, 'tok-b');
    const theirs = await other.createSession();
    await client.json('/api/v0/chat_session/delete', { chat_session_id: theirs });
    expect(fake.state().sessions[theirs].deleted).toBe(false);
    expect(await client.json('/api/v0/chat_session/delete', { chat_session_ids: [mine] })).toMatchObject({
      data: { biz_data: null },
    });
    expect(fake.state().sessions[mine].deleted).toBe(true);
    await other.json('/api/v0/chat_session/delete_all', {});
    expect(fake.state().sessions[theirs].deleted).toBe(true);
  });

  it('should answer unknown paths with a 404 envelope', async () => {
    const res = await rawRequest(`${fake.url}/api/v0/nothing`, {});
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ code: 404, msg: 'Not Found', data: null });
  });

  it('should accept a hand-built header in the documented key order', async () => {
    const challenge = await client.challenge();
    const header = powHeader(challenge, solvePow(challenge));
    expect(Object.keys(JSON.parse(Buffer.from(header, 'base64').toString()))).toEqual([
      'algorithm',
      'challenge',
      'salt',
      'answer',
      'signature',
      'target_path',
    ]);
    const res = await client.complete({ chat_session_id: await client.createSession() }, { pow: header });
    expect(sseEvents(res.text)[0].event).toBe('ready');
  });
});
