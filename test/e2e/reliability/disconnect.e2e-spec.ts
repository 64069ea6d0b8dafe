import { chatBody, postChat, streamChat } from '../../utils/chat-http';
import { openRequest } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { expectSettled, sleep, waitUntil } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

/** The issue's own bound: from the client's drop to the upstream seeing its request aborted. */
const ABORT_WITHIN_MS = 200;
const KEEPALIVE_MS = 150;
const STOP_STREAM_DELAY_MS = 300;
/** ~80 tokens at 15 ms: a generation that outlives every drop below by far. */
const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

describe('client disconnects (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const [token] = makeTokens('disconnect', 1);

  beforeAll(async () => {
    stack = await startStack({
      tokens: [token],
      // The realistic default: the upstream keeps generating after a dropped connection until stop_stream.
      fake: { reply: { content: LONG_REPLY }, tokenDelayMs: 15, keepGeneratingAfterDisconnect: true },
      env: { KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS) },
      logger: logs,
    });
  });
  beforeEach(() => stack.fake.reset());
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [token], 'the gateway log of the disconnect suite');
  });

  /**
   * A remote upstream answers stop_stream a round trip later; the fake would answer at once and end the
   * stream itself before it noticed the dropped connection. Delaying it keeps the two signals apart.
   */
  const delayStopStream = () =>
    stack.fake.addFault({ fault: 'slow_first_byte', endpoint: 'stop_stream', params: { ms: STOP_STREAM_DELAY_MS } });

  /** The connection was aborted, and stop_stream then ended the message where it was (the account is free). */
  const abortedAndStopped = () =>
    stack.fake.waitFor(
      (s) =>
        s.aborts.length === 1 && s.inFlight === 0 && Object.values(s.sessions)[0]?.messages[0]?.status === 'INCOMPLETE',
    );

  /** The next request on the same (only) account gets a whole answer: the upstream freed it too. */
  async function expectAccountServesNext(): Promise<void> {
    stack.fake.configure({ reply: { content: 'short answer' }, tokenDelayMs: 0 });
    const next = await postChat(stack.baseURL, chatBody(), { tokens: [token] });
    expect({ status: next.status, content: next.json?.choices?.[0]?.message?.content }).toEqual({
      status: 200,
      content: 'short answer',
    });
  }

  it('should abort the upstream within 200 ms of a dropped stream, stop the message and free the account', async () => {
    delayStopStream();
    const client = streamChat(stack.baseURL, chatBody(), [token]);
    await client.until((c) => readChatStream(c.text, { partial: true }).contentChunks >= 3);

    client.drop();
    const state = await abortedAndStopped();

    expect(state.aborts[0].at - client.droppedAt!).toBeLessThan(ABORT_WITHIN_MS);
    expect(state.aborts[0].tokensWritten).toBeLessThan(40);
    expect(state.requests.stop_stream).toBe(1);
    await expectSettled(stack);
    await expectAccountServesNext();
  });

  it('should abort the upstream when a non-stream client hangs up mid-answer, and free the account', async () => {
    delayStopStream();
    const client = openRequest(`${stack.baseURL}/chat/completions`, chatBody(), { tokens: [token] });
    await stack.fake.waitFor((s) => Object.values(s.sessions).some((session) => session.messages.length > 0));
    await sleep(60);

    client.drop();
    // Gone before any answer came.
    expect(await client.response).toMatchObject({ status: 0, cut: true });
    const state = await abortedAndStopped();

    expect(state.aborts[0].at - client.droppedAt!).toBeLessThan(ABORT_WITHIN_MS);
    await expectSettled(stack);
    await expectAccountServesNext();
  });

  it('should abort the upstream when an OpenAI SDK client breaks out of its stream', async () => {
    delayStopStream();
    const stream = await stack.openai().chat.completions.create({ ...chatBody(), stream: true } as never);
    let chunks = 0;
    for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
      if (++chunks === 4) break;
    }

    await abortedAndStopped();
    await expectSettled(stack);
    await expectAccountServesNext();
  });

  it('should release the account and stop the proof of work when the client leaves during it', async () => {
    // Minutes of hashing: only a cancelled search lets the next request's proof of work through.
    stack.fake.configure({ powDifficulty: 500_000_000 });
    const client = streamChat(stack.baseURL, chatBody(), [token]);
    await stack.fake.waitFor((s) => s.pow.issued === 1);
    await waitUntil(() => stack.pool().leases === 1);

    client.drop();
    await waitUntil(() => stack.pool().leases === 0);

    expect(stack.fake.state().requests.completion).toBeUndefined();
    stack.fake.configure({ powDifficulty: 1000 });
    await expectAccountServesNext();
    await expectSettled(stack);
  });

  it.each([
    ['before the stream committed to 200', 0],
    ['after keep-alives went out', KEEPALIVE_MS * 3],
  ])('should withdraw a request from the queue when its client leaves %s', async (_, waitMs) => {
    const first = streamChat(stack.baseURL, chatBody(), [token]);
    await first.until((c) => readChatStream(c.text, { partial: true }).contentChunks >= 1);
    const queued = streamChat(stack.baseURL, chatBody(), [token]);
    await waitUntil(() => stack.pool().waiting === 1);
    if (waitMs > 0) await queued.until((c) => c.text.includes(': keep-alive'), waitMs * 2);

    queued.drop();
    await waitUntil(() => stack.pool().waiting === 0);

    expect(stack.fake.state().requests.completion).toBe(1);
    await first.response;
    expect(readChatStream(first.text)).toMatchObject({
      content: LONG_REPLY,
      finishReason: 'stop',
      error: null,
      done: true,
    });
    await expectSettled(stack);
    expect(stack.fake.state().requests.completion).toBe(1);
  });
});
