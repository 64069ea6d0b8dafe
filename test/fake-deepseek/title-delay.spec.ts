import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient, namedEventsOf } from './spec-helpers';
import { sseEvents } from '../utils/sse/sse-reader';

const REPLY = { reasoning: 'Thinking it over.', content: 'Here is the answer.' };
const DELAY = 150;
/**
 * The client notes the marker when it reads it, which on a busy machine may be tens of ms after the fake
 * wrote it (a CI run read 129 ms for a 150 ms delay); a fake without the delay ends within a few ms.
 */
const AT_LEAST = DELAY / 2;
const BUSY = 'A message is being generated, please try again later.';

describe('fake DeepSeek: title delay after the terminal status', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let sessionId: string;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000, reply: REPLY });
    alice = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(async () => {
    fake.reset();
    fake.configure({ titleDelayMs: DELAY });
    sessionId = await alice.createSession();
  });
  afterAll(() => fake.close());

  const message = () => fake.state().sessions[sessionId].messages.at(-1)!;
  const account = () => fake.state().accounts['tok-a'];

  type Watch = (soFar: string) => boolean;

  /** Runs a stream and notes when `marker` first arrived and what had arrived by then. */
  async function timed(marker: string, send: (watch: Watch) => ReturnType<FakeClient['complete']>) {
    let markedAt = 0;
    let bodyAtMark = '';
    const res = await send((soFar) => {
      if (markedAt === 0 && soFar.includes(marker)) [markedAt, bodyAtMark] = [Date.now(), soFar];
      return false;
    });
    return { res, waited: Date.now() - markedAt, before: sseEvents(bodyAtMark) };
  }

  const timedCompletion = (marker: string, headers: Record<string, string> = {}) =>
    timed(marker, (dropWhen) =>
      alice.complete({ chat_session_id: sessionId, thinking_enabled: true }, { headers, dropWhen }),
    );

  it.each(['C', 'B'])(
    'should write the status frames at once and the closing events after the delay (%s)',
    async (format) => {
      const { res, waited, before } = await timedCompletion('"response/status"', { 'x-fake-format': format });
      expect(waited).toBeGreaterThanOrEqual(AT_LEAST);
      expect(namedEventsOf(before)).toEqual(['ready', 'update_session', 'finish']);
      expect(decodeStream(before).status).toBe('FINISHED');
      expect(namedEventsOf(res.events)).toEqual([
        'ready',
        'update_session',
        'finish',
        'update_session',
        'title',
        'close',
      ]);
      expect(decodeStream(res.events)).toMatchObject({ status: 'FINISHED', content: REPLY.content, title: 'Hello' });
    },
  );

  it('should keep the response open after data: [DONE] in Format A', async () => {
    const { res, waited, before } = await timedCompletion('[DONE]', { 'x-fake-format': 'A' });
    expect(waited).toBeGreaterThanOrEqual(AT_LEAST);
    expect(before.at(-1)!.data).toBe('[DONE]');
    expect(res.events).toEqual(before);
  });

  it('should keep the account generating during the wait and refuse a second completion as busy', async () => {
    const first = alice.complete({ chat_session_id: sessionId });
    const during = await fake.waitFor((s) => s.sessions[sessionId].messages[0]?.status === 'FINISHED');
    expect(during.accounts['tok-a'].inFlight).toBe(1);
    expect(during.sessions[sessionId].messages[0]).toMatchObject({ content: REPLY.content, endedAt: null });
    const second = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 });
    expect(second.events).toEqual([
      { event: 'message', data: JSON.stringify({ type: 'error', content: BUSY, clear_response: true }) },
    ]);
    expect(account()).toMatchObject({ inFlight: 1, busyRefusals: 1 });
    await first;
    expect(account().inFlight).toBe(0);
    expect(message().endedAt).not.toBeNull();
    expect(fake.state().sessions[sessionId].messages).toHaveLength(1);
  });

  it('should wait on a continue round, which has no title', async () => {
    fake.addFault({ fault: 'incomplete', params: { afterTokens: 2 } });
    const first = await timedCompletion('"response/status"');
    expect(first.waited).toBeGreaterThanOrEqual(AT_LEAST);
    const second = await timed('"response/status"', (dropWhen) =>
      alice.continue({ chat_session_id: sessionId, message_id: 2 }, first.res.pow, { dropWhen }),
    );
    expect(second.waited).toBeGreaterThanOrEqual(AT_LEAST);
    expect(namedEventsOf(second.res.events)).toEqual(['ready', 'update_session', 'finish', 'update_session', 'close']);
    expect(message()).toMatchObject({ status: 'FINISHED', rounds: 2 });
  });

  it('should wait after the other terminal statuses too', async () => {
    fake.addFault({ fault: 'cancelled', params: { afterTokens: 1 } });
    const { res, waited } = await timedCompletion('"response/status"');
    expect(waited).toBeGreaterThanOrEqual(AT_LEAST);
    expect(decodeStream(res.events).status).toBe('CANCELLED');
  });

  it('should not wait after a hint error or a retry close', async () => {
    fake.configure({ titleDelayMs: 5000 });
    fake.addFault({ fault: 'hint_error' }, { fault: 'close_retry', params: { afterTokens: 1 } });
    const started = Date.now();
    await alice.complete({ chat_session_id: sessionId });
    await alice.complete({ chat_session_id: sessionId });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(account().inFlight).toBe(0);
  });

  it('should write heartbeats during the wait', async () => {
    fake.configure({ heartbeatIntervalMs: 40 });
    const { res } = await timedCompletion('"response/status"');
    const afterStatus = res.text.slice(res.text.indexOf('"response/status"'));
    expect(afterStatus.match(/\n\n: \n\n/g)?.length).toBeGreaterThanOrEqual(2);
    expect(decodeStream(res.events).title).toBe('Hello');
  });

  it('should keep the account busy until the wait ends when the client leaves during it', async () => {
    const res = await alice.complete(
      { chat_session_id: sessionId },
      { dropWhen: (body) => body.includes('event: finish') },
    );
    const leftAt = Date.now();
    expect(res.cut).toBe(true);
    const gone = await fake.waitFor((s) => s.aborts.length === 1);
    expect(gone.accounts['tok-a'].inFlight).toBe(1);
    expect(gone.sessions[sessionId].messages[0].status).toBe('FINISHED');
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 0);
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(DELAY / 2);
    expect(message()).toMatchObject({ status: 'FINISHED', content: REPLY.content });
  });

  it('should release the account at once when the client leaves during the wait without keepGenerating', async () => {
    fake.configure({ titleDelayMs: 5000, keepGeneratingAfterDisconnect: false });
    await alice.complete({ chat_session_id: sessionId }, { dropWhen: (body) => body.includes('event: finish') });
    const gone = await fake.waitFor((s) => s.aborts.length === 1 && s.accounts['tok-a'].inFlight === 0, 1000);
    expect(gone.sessions[sessionId].messages[0].status).toBe('FINISHED');
  });

  it('should count the wait when the client leaves before it', async () => {
    fake.configure({ tokenDelayMs: 5 });
    const started = Date.now();
    await alice.complete({ chat_session_id: sessionId }, { dropWhen: (body) => body.includes('"o":"APPEND"') });
    await fake.waitFor((s) => s.aborts.length === 1);
    expect(account().inFlight).toBe(1);
    await fake.waitFor((s) => s.accounts['tok-a'].inFlight === 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AT_LEAST);
    expect(message().status).toBe('FINISHED');
  });

  it('should end the wait at once on stop_stream, keeping the terminal status', async () => {
    fake.configure({ titleDelayMs: 5000 });
    const started = Date.now();
    const streaming = alice.complete({ chat_session_id: sessionId });
    await fake.waitFor((s) => s.sessions[sessionId].messages[0]?.status === 'FINISHED');
    const stopped = await alice.json('/api/v0/chat/stop_stream', { chat_session_id: sessionId, message_id: 2 });
    expect(stopped.data.biz_code).toBe(0);
    expect(account().inFlight).toBe(0);
    const res = await streaming;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(namedEventsOf(res.events)).toEqual([
      'ready',
      'update_session',
      'finish',
      'update_session',
      'title',
      'close',
    ]);
    expect(decodeStream(res.events).status).toBe('FINISHED');
    expect(message().status).toBe('FINISHED');
  });

  it('should not wait with the default titleDelayMs 0', async () => {
    fake.reset();
    expect(fake.config.titleDelayMs).toBe(0);
    const sid = await alice.createSession();
    const started = Date.now();
    const res = await alice.complete({ chat_session_id: sid });
    expect(Date.now() - started).toBeLessThan(DELAY);
    expect(decodeStream(res.events).title).toBe('Hello');
  });
});
