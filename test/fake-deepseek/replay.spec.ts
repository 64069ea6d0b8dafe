import { describeWithShared, loadCaptures } from '../utils/shared-fixtures';
import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { FakeClient } from './spec-helpers';
import { readSseBlocks } from '../utils/sse/sse-reader';

/** Event names, `:` comments, `snapshot` and patch paths in order, repeats collapsed: the shape of a body. */
function outline(body: string): string[] {
  const steps: string[] = [];
  for (const block of readSseBlocks(body).blocks) {
    let step: string | undefined;
    if (block.event !== null) step = block.event;
    else if (block.data !== null) {
      const frame = JSON.parse(block.data);
      step = frame.v?.response ? 'snapshot' : frame.p;
    } else if (block.comments.length > 0) step = ':';
    if (step !== undefined && step !== steps.at(-1)) steps.push(step);
  }
  return steps;
}

/** The parsed snapshot frame (`{"v":{"response":…}}`) of a body. */
const snapshotOf = (body: string): any =>
  JSON.parse(readSseBlocks(body).blocks.find((block) => block.data?.startsWith('{"v":{"response"'))!.data!);

/** The body the fake must send for a capture: without a leading non-SSE line, split at the second `ready`. */
function expectedRounds(stream: Buffer): Buffer[] {
  let body = stream;
  if (!/^(event|data|id|retry)?:/.test(body.subarray(0, 16).toString())) body = body.subarray(body.indexOf(0x0a) + 1);
  const second = body.indexOf('\nevent: ready\n', 1);
  return second < 0 ? [body] : [body.subarray(0, second + 1), body.subarray(second + 1)];
}

describeWithShared('fake DeepSeek: capture replay', () => {
  const captures = loadCaptures();
  let fake: FakeDeepSeek;
  let client: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000 });
    client = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should have captures to replay', () => {
    expect(captures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(captures.map((capture) => [capture.id, capture] as const))(
    'should replay %s byte for byte',
    async (id, capture) => {
      const rounds = expectedRounds(capture.stream);
      expect(rounds).toHaveLength(capture.expected.rounds_count ?? 1);
      expect(rounds.every((round) => round.subarray(0, 13).toString() === 'event: ready\n')).toBe(true);
      // Round sizes documented in the captures README.
      if (rounds.length > 1) expect(rounds.map((r) => r.length)).toEqual([649_506, 136_876]);
      fake.configure({ replay: id });
      const sessionId = await client.createSession();
      const first = await client.complete({ chat_session_id: sessionId, prompt: 'replayed' });
      expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(Buffer.from(first.text).equals(rounds[0])).toBe(true);
      expect(fake.config.replay).toBeNull();

      const message = () => fake.state().sessions[sessionId].messages[0];
      expect(message()).toMatchObject({
        replay: id,
        prompt: 'replayed',
        status: rounds.length > 1 ? 'INCOMPLETE' : 'FINISHED',
      });
      if (rounds.length > 1) {
        const second = await client.continue({ chat_session_id: sessionId, message_id: 2 }, first.pow);
        expect(Buffer.from(second.text).equals(rounds[1])).toBe(true);
        expect(message()).toMatchObject({ status: 'FINISHED', rounds: 2 });
      }
      const next = await client.complete({ chat_session_id: sessionId, parent_message_id: 2, prompt: 'after' });
      expect(next.text).toContain('"response_message_id":4');
    },
    30_000,
  );

  it('should generate Format C with the outline of a real single-round capture', async () => {
    const capture = captures.find((c) => c.id === 'markdown-format-example-20260405')!;
    const sessionId = await client.createSession();
    const res = await client.complete({ chat_session_id: sessionId, thinking_enabled: true });
    expect(outline(res.text)).toEqual(outline(capture.stream.toString()));
    const real = snapshotOf(capture.stream.toString());
    const ours = snapshotOf(res.text);
    expect(Object.keys(ours.v.response)).toEqual(expect.arrayContaining(Object.keys(real.v.response)));
  });

  it('should generate INCOMPLETE and continue rounds with the outline of the real continue capture', async () => {
    const capture = captures.find((c) => c.id === 'continue-thinking-snapshot-replay-20260405')!;
    const [round1, round2] = expectedRounds(capture.stream).map((round) => outline(round.toString()));
    const sessionId = await client.createSession();
    fake.addFault({ fault: 'incomplete', endpoint: 'completion', params: { afterTokens: 5 } });
    const first = await client.complete({ chat_session_id: sessionId, thinking_enabled: true });
    const second = await client.continue({ chat_session_id: sessionId, message_id: 2 }, first.pow);
    expect(outline(first.text)).toEqual(round1);
    expect(outline(second.text)).toEqual(round2);
  });

  it('should pace a replay frame by frame without changing a byte', async () => {
    const capture = captures.find((c) => c.id === 'markdown-format-example-20260405')!;
    fake.configure({ replay: capture.id, tokenDelayMs: 1 });
    const chunks: number[] = [];
    const res = await client.complete(
      { chat_session_id: await client.createSession() },
      { dropWhen: (body) => (chunks.push(body.length), false) },
    );
    expect(Buffer.from(res.text).equals(expectedRounds(capture.stream)[0])).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
  });
});
