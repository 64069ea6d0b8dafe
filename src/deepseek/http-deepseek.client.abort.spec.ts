import { take } from 'rxjs';
import type { FakeDeepSeek, FaultSpec } from '../../test/fake-deepseek';
import type { HttpDeepSeekClient } from './http-deepseek.client';
import {
  ALICE,
  useClientRig,
  collect,
  completionOptions,
  RecordingPowSolver,
} from '../../test/utils/deepseek/client-kit';
import { MAX_POW_DIFFICULTY } from './pow/pow-search';

jest.setTimeout(60_000);

const LONG_REPLY = { reasoning: '', content: 'word '.repeat(300) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HttpDeepSeekClient cancellation', () => {
  let fake: FakeDeepSeek;
  let pow: RecordingPowSolver;
  let client: HttpDeepSeekClient;
  /** A fresh account per test, so that requests a previous test abandoned cannot touch this one. */
  let token: string;
  let tokenCount = 0;
  let controller: AbortController;
  /** What every abort in this file passes: the client must reject with exactly this. */
  const reason = Object.assign(new Error('the caller left'), { name: 'AbortError' });

  const rig = useClientRig({ reply: LONG_REPLY, tokenDelayMs: 10 });
  beforeAll(() => ({ fake, pow, client } = rig));

  beforeEach(() => {
    token = `${ALICE}-${tokenCount++}`;
    fake.configure({ accounts: [token] });
    controller = new AbortController();
  });

  const start = () => client.startCompletion(completionOptions(token, { signal: controller.signal }));
  const fault = (spec: FaultSpec) => fake.addFault({ ...spec, account: token });

  /** A completion that can be done now proves the single PoW thread and the account are free again. */
  async function expectUsableAgain(): Promise<void> {
    fake.configure({ powDifficulty: 1000, reply: { content: 'ok' } });
    const again = await client.startCompletion(completionOptions(token));
    expect((await collect(again.events)).content).toBe('ok');
  }

  it('should reject at once when the signal is already aborted, without calling the upstream', async () => {
    controller.abort(reason);

    await expect(start()).rejects.toBe(reason);

    expect(fake.state().requests).toEqual({});
  });

  it('should stop solving the PoW when aborted during it', async () => {
    fake.configure({ powDifficulty: MAX_POW_DIFFICULTY });
    let solving!: () => void;
    const solveStarted = new Promise<void>((resolve) => (solving = resolve));
    pow.onSolve = () => solving();

    const completion = start();
    await solveStarted;
    await sleep(50);
    controller.abort(reason);

    await expect(completion).rejects.toBe(reason);
    expect(fake.state().requests.completion).toBeUndefined();
    await expectUsableAgain();
    expect(fake.state().requests.completion).toBe(1);
  });

  it('should cancel session creation when aborted during it', async () => {
    fault({ fault: 'slow_first_byte', endpoint: 'chat_session_create', params: { ms: 60_000 } });

    const completion = start();
    await fake.waitFor((s) => s.requests.chat_session_create === 1);
    controller.abort(reason);

    await expect(completion).rejects.toBe(reason);
    const state = fake.state();
    expect(Object.keys(state.sessions)).toHaveLength(0);
    expect(state.requests.completion).toBeUndefined();
    await expectUsableAgain();
  });

  it('should cancel the completion request while it waits for the first event', async () => {
    fake.configure({ firstByteDelayMs: 60_000, keepGeneratingAfterDisconnect: false });

    const completion = start();
    await fake.waitFor((s) => s.openStreams === 1);
    controller.abort(reason);

    await expect(completion).rejects.toBe(reason);
    const state = await fake.waitFor((s) => s.inFlight === 0 && s.openStreams === 0);
    expect(state.aborts).toEqual([expect.objectContaining({ account: token, endpoint: 'completion' })]);
  });

  it('should cut the stream, send stop_stream and free the account when aborted during the answer', async () => {
    const completion = await start();

    const result = await collect(completion.events, (event) => {
      if (event.type === 'content') controller.abort(reason);
    });

    expect(result.error).toBe(reason);
    expect(result.content.length).toBeLessThan(LONG_REPLY.content.length);
    // Whether the fake sees the dropped socket or stop_stream first is a race; either way the message stops.
    const state = await fake.waitFor((s) => s.inFlight === 0 && s.openStreams === 0 && s.requests.stop_stream === 1);
    expect(state.sessions[completion.sessionId].messages[0].status).toBe('INCOMPLETE');
    await expectUsableAgain();
  });

  it('should do the same when the consumer unsubscribes', async () => {
    const completion = await start();

    const result = await collect(completion.events.pipe(take(3)));

    expect(result.error).toBeNull();
    const state = await fake.waitFor((s) => s.inFlight === 0 && s.openStreams === 0 && s.requests.stop_stream === 1);
    expect(state.sessions[completion.sessionId].messages[0].status).toBe('INCOMPLETE');
  });

  it('should cancel checkToken, deleteSession and stopStream', async () => {
    fault({ fault: 'slow_first_byte', endpoint: 'users_current', params: { ms: 60_000 } });
    fault({ fault: 'slow_first_byte', endpoint: 'chat_session_delete', params: { ms: 60_000 } });
    fault({ fault: 'slow_first_byte', endpoint: 'stop_stream', params: { ms: 60_000 } });
    const session = '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e';

    const calls = [
      expect(client.checkToken(token, controller.signal)).rejects.toBe(reason),
      expect(client.deleteSession(token, session, controller.signal)).rejects.toBe(reason),
      expect(client.stopStream(token, session, 2, controller.signal)).resolves.toBeUndefined(),
    ];
    await fake.waitFor((s) => s.requests.users_current === 1 && s.requests.stop_stream === 1);
    await fake.waitFor((s) => s.requests.chat_session_delete === 1);
    controller.abort(reason);

    await Promise.all(calls);
  });

  it('should cancel a continue round when aborted during it', async () => {
    fault({ fault: 'incomplete', params: { afterTokens: 3 } });
    fault({ fault: 'slow_first_byte', endpoint: 'continue', params: { ms: 60_000 } });
    const completion = await start();

    const collected = collect(completion.events);
    await fake.waitFor((s) => s.requests.continue === 1);
    controller.abort(reason);

    expect((await collected).error).toBe(reason);
    const state = await fake.waitFor((s) => s.inFlight === 0 && s.openStreams === 0);
    expect(state.sessions[completion.sessionId].messages[0]).toMatchObject({ rounds: 1, status: 'INCOMPLETE' });
  });
});
