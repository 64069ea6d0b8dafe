import { chatBody, postChat } from '../utils/chat-http';
import { readChatStream } from '../utils/sse/chat-stream';
import { makeTokens } from '../utils/secrets';
import { expectSettled } from '../utils/settle';
import { type Stack, startStack } from '../utils/stack';

const REQUESTS = 200;
/** A slow title: the upstream keeps each stream (and the account) busy this long after the answer. */
const TITLE_DELAY_MS = 60;
const REPLY = 'A short answer; the title takes longer than the answer.';

describe('soak: one token, 200 sequential requests, each with a slow title', () => {
  jest.setTimeout(5 * 60_000);
  const [token] = makeTokens('sequential', 1);
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], fake: { reply: { content: REPLY }, titleDelayMs: TITLE_DELAY_MS } });
  });
  afterAll(() => stack?.close());

  it('should answer every request with no busy refusal upstream and no 429', async () => {
    const statuses = new Map<number, number>();
    const started = Date.now();
    for (let i = 0; i < REQUESTS; i++) {
      const stream = i % 2 === 0;
      const res = await postChat(stack.baseURL, chatBody({ stream }), { tokens: [token] });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const content = stream ? readChatStream(res.text).content : res.json?.choices?.[0]?.message?.content;
      expect(content).toBe(REPLY);
    }
    await expectSettled(stack);
    const upstream = stack.fake.state().accounts[token];
    const figures = {
      requests: REQUESTS,
      ms: Date.now() - started,
      statuses: Object.fromEntries(statuses),
      generations: upstream.generations,
      busyRefusals: upstream.busyRefusals,
      maxInFlight: upstream.maxInFlight,
    };
    console.log(`sequential soak: ${JSON.stringify(figures)}`);
    expect(figures).toMatchObject({
      statuses: { 200: REQUESTS },
      generations: REQUESTS,
      busyRefusals: 0,
      maxInFlight: 1,
    });
  });
});
