import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient, namedEventsOf, patchesOf } from './spec-helpers';

const REPLY = { reasoning: 'Reasoning text here.', content: 'Answer text, long enough.' };

describe('fake DeepSeek: continue, stop and disconnects', () => {
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

  const message = () => fake.state().sessions[sessionId].messages[0];

  it('should continue an INCOMPLETE message in thinking with a snapshot holding unsent characters (C)', async () => {
    fake.addFault({ fault: 'incomplete', params: { afterTokens: 3, unsentChars: 2 } });
    const first = await alice.complete({ chat_session_id: sessionId, thinking_enabled: true });
    const round1 = decodeStream(first.events);
    expect(round1).toMatchObject({ status: 'INCOMPLETE', content: '' });

    const second = await alice.continue({ chat_session_id: sessionId, message_id: 2 }, first.pow);
    expect(second.events[0]).toEqual({
      event: 'ready',
      data: JSON.stringify({ request_message_id: 1, response_message_id: 2, model_type: 'default' }),
    });
    expect(second.text).toContain('\n\n: \n\nevent: update_session');
    expect(namedEventsOf(second.events)).toEqual(['ready', 'update_session', 'finish', 'update_session', 'close']);
    const snapshot = patchesOf(second.events)[0].v.response;
    expect(snapshot).toMatchObject({ status: 'WIP', accumulated_token_usage: round1.usage! + 1 });
    expect(snapshot.fragments).toEqual([
      {
        id: 2,
        type: 'THINK',
        content: REPLY.reasoning.slice(0, round1.reasoning.length + 2),
        elapsed_secs: expect.any(Number),
        references: [],
        stage_id: 1,
      },
    ]);
    expect(patchesOf(second.events).find((f) => f.p === 'response/fragments')).toMatchObject({
      v: [{ type: 'RESPONSE', stage_id: 0 }],
    });
    const round2 = decodeStream(second.events);
    expect(round2).toMatchObject({ reasoning: REPLY.reasoning, content: REPLY.content, status: 'FINISHED' });
    expect(round2.usage).toBeGreaterThan(round1.usage!);
    expect(message()).toMatchObject({
      status: 'FINISHED',
      reasoning: REPLY.reasoning,
      content: REPLY.content,
      rounds: 2,
    });
  });

  it('should continue an INCOMPLETE answer in Format B and Format A', async () => {
    fake.addFault({ fault: 'incomplete', endpoint: 'completion', params: { afterTokens: 4 } });
    const first = await alice.complete({ chat_session_id: sessionId }, { headers: { 'x-fake-format': 'B' } });
    const b = await alice.continue({ chat_session_id: sessionId, message_id: 2 }, first.pow);
    const snapshot = patchesOf(b.events)[0].v.response;
    expect(snapshot.content).toBe(REPLY.content.slice(0, decodeStream(first.events).content.length + 2));
    expect(decodeStream(b.events)).toMatchObject({ content: REPLY.content, status: 'FINISHED' });

    fake.addFault({ fault: 'incomplete', endpoint: 'completion', params: { afterTokens: 2, unsentChars: 0 } });
    const a1 = await alice.complete(
      { chat_session_id: sessionId, parent_message_id: 2 },
      { headers: { 'x-fake-format': 'A' } },
    );
    expect(decodeStream(a1.events).status).toBe('length');
    const a2 = await alice.continue({ chat_session_id: sessionId, message_id: 4 }, a1.pow);
    expect(decodeStream(a1.events).content + decodeStream(a2.events).content).toBe(REPLY.content);
  });

  it('should refuse continue for messages that are not INCOMPLETE, and require a decodable PoW header', async () => {
    const done = await alice.complete({ chat_session_id: sessionId });
    const refused = await alice.continue({ chat_session_id: sessionId, message_id: 2 }, done.pow);
    expect(JSON.parse(refused.text).data).toMatchObject({ biz_code: 26, biz_msg: 'invalid message id' });
    fake.addFault({ fault: 'incomplete', endpoint: 'completion' });
    const cut = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 });
    expect(JSON.parse((await alice.continue({ chat_session_id: sessionId, message_id: 4 }, null)).text).code).toBe(
      40300,
    );
    expect(JSON.parse((await alice.continue({ chat_session_id: sessionId, message_id: 4 }, 'bad!')).text).code).toBe(
      40301,
    );
    expect(
      JSON.parse((await alice.continue({ chat_session_id: 'nope', message_id: 4 }, cut.pow)).text).data.biz_code,
    ).toBe(1);
    // The completion's header, already used: accepted on continue unless strictContinuePow.
    fake.configure({ strictContinuePow: true });
    expect(JSON.parse((await alice.continue({ chat_session_id: sessionId, message_id: 4 }, cut.pow)).text).code).toBe(
      40301,
    );
    fake.configure({ strictContinuePow: false });
    expect(
      decodeStream((await alice.continue({ chat_session_id: sessionId, message_id: 4 }, cut.pow)).events).status,
    ).toBe('FINISHED');
  });

  it('should free the lock and end the stream INCOMPLETE on stop_stream', async () => {
    fake.configure({ tokenDelayMs: 20 });
    const streaming = alice.complete({ chat_session_id: sessionId, thinking_enabled: true });
    await fake.waitFor((s) => s.sessions[sessionId].messages.length === 1 && s.accounts['tok-a'].inFlight === 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stopped = await alice.json('/api/v0/chat/stop_stream', { chat_session_id: sessionId, message_id: 2 });
    expect(stopped).toEqual({ code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: null } });
    expect(fake.state().accounts['tok-a'].inFlight).toBe(0);
    const res = await streaming;
    const decoded = decodeStream(res.events);
    expect(decoded.status).toBe('INCOMPLETE');
    expect(REPLY.reasoning.startsWith(decoded.reasoning)).toBe(true);
    expect(decoded.reasoning.length).toBeLessThan(REPLY.reasoning.length);
    expect(namedEventsOf(res.events).at(-1)).toBe('close');
    expect(message()).toMatchObject({ status: 'INCOMPLETE', reasoning: decoded.reasoning });
    fake.configure({ tokenDelayMs: 0 });
    const resumed = await alice.continue({ chat_session_id: sessionId, message_id: 2 }, res.pow);
    expect(decodeStream(resumed.events)).toMatchObject({ reasoning: REPLY.reasoning, content: REPLY.content });
  });

  it('should keep the account busy after a client disconnect until the script would have finished', async () => {
    fake.configure({ tokenDelayMs: 10 });
    const res = await alice.complete(
      { chat_session_id: sessionId },
      { dropWhen: (body) => body.includes('"o":"APPEND"') },
    );
    expect(res.cut).toBe(true);
    await fake.waitFor((s) => s.aborts.length === 1);
    const state = fake.state();
    expect(state.aborts[0]).toMatchObject({ account: 'tok-a', endpoint: 'completion', sessionId, messageId: 2 });
    expect(state.accounts['tok-a'].inFlight).toBe(1);
    const busy = await alice.complete({ chat_session_id: sessionId });
    expect(busy.text).toContain('being generated');
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 0);
    expect(message()).toMatchObject({ status: 'FINISHED', content: REPLY.content });
  });

  it('should release the account at once on disconnect when keepGeneratingAfterDisconnect is off', async () => {
    fake.configure({ tokenDelayMs: 50, keepGeneratingAfterDisconnect: false });
    await alice.complete({ chat_session_id: sessionId }, { dropWhen: (body) => body.includes('"o":"APPEND"') });
    const state = await fake.waitFor((s) => s.aborts.length === 1);
    expect(state.accounts['tok-a'].inFlight).toBe(0);
    expect(state.sessions[sessionId].messages[0].status).toBe('INCOMPLETE');
  });

  it('should pace frames, send heartbeats while waiting, and count open streams', async () => {
    fake.configure({ firstByteDelayMs: 120, heartbeatIntervalMs: 40, tokenDelayMs: 5 });
    const started = Date.now();
    const pending = alice.complete({ chat_session_id: sessionId });
    await fake.waitFor((s) => s.openStreams === 1);
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(res.text.startsWith(': \n\n')).toBe(true);
    expect(decodeStream(res.events)).toMatchObject({ content: REPLY.content, status: 'FINISHED' });
    expect(fake.state().openStreams).toBe(0);
  });

  it('should run one generation per account while other accounts stream concurrently', async () => {
    fake.configure({ tokenDelayMs: 5 });
    const bob = new FakeClient(fake.url, 'tok-b');
    const bobSession = await bob.createSession();
    const results = await Promise.all([
      alice.complete({ chat_session_id: sessionId }),
      bob.complete({ chat_session_id: bobSession }),
    ]);
    expect(results.map((r) => decodeStream(r.events).content)).toEqual([REPLY.content, REPLY.content]);
    const state = fake.state();
    expect(state.maxInFlight).toBe(2);
    expect(state.accounts['tok-a'].maxInFlight).toBe(1);
  });
});
