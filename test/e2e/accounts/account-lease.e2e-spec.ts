import { chatBody, postChat } from '../../utils/chat-http';
import { type RawResponse } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { readChatStream } from '../../utils/sse/chat-stream';
import { makeTokens } from '../../utils/secrets';
import { expectSettled } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const REPLY = 'An answer that arrives before its title does.';
/** The fake keeps each stream open this long after FINISHED (title generation), the account still generating. */
const TITLE_DELAY_MS = 150;

function expectAnswer(res: RawResponse, stream: boolean): void {
  expect(res.status).toBe(200);
  if (stream) {
    expect(readChatStream(res.text)).toMatchObject({ content: REPLY, finishReason: 'stop', error: null, done: true });
  } else {
    expect(res.json.choices[0]).toMatchObject({ message: { content: REPLY }, finish_reason: 'stop' });
  }
}

describe('an account is held until its upstream stream closes (e2e)', () => {
  let stack: Stack;
  let serial = 0;
  const freshToken = (): string => {
    const [token] = makeTokens(`lease-${serial++}`, 1);
    stack.fake.configure({ accounts: [token] });
    return token;
  };

  beforeAll(async () => {
    stack = await startStack({ tokens: [], fake: { reply: { content: REPLY }, titleDelayMs: TITLE_DELAY_MS } });
  });
  afterAll(() => stack?.close());

  it('should send 20 back-to-back requests on one token with no busy refusal upstream and no 429', async () => {
    const token = freshToken();
    for (let i = 0; i < 20; i++) {
      const stream = i % 2 === 0;
      const res = await postChat(stack.baseURL, chatBody({ stream }), { tokens: [token] });
      expectAnswer(res, stream);
    }
    expect(stack.fake.state().accounts[token]).toMatchObject({ generations: 20, busyRefusals: 0, maxInFlight: 1 });
    await expectSettled(stack);
  }, 30_000);

  it('should end the answer at the terminal status but keep the lease until the title has come', async () => {
    const token = freshToken();

    const res = await postChat(stack.baseURL, chatBody(), { tokens: [token] });

    expectAnswer(res, false);
    // The answer is out while the upstream still writes its title: the account is still ours.
    expect(stack.fake.state().accounts[token].inFlight).toBe(1);
    expect(stack.pool()).toMatchObject({ leases: 1, busy: 1 });
    await expectSettled(stack);
  });

  it('should cut the stream after UPSTREAM_CLOSE_GRACE_MS when the title takes longer, and then queue behind it', async () => {
    const graceStack = await startStack({
      tokens: [],
      fake: { reply: { content: REPLY }, titleDelayMs: 1_500 },
      env: { UPSTREAM_CLOSE_GRACE_MS: '100' },
    });
    try {
      const [token] = makeTokens('grace', 1);
      graceStack.fake.configure({ accounts: [token] });
      const first = await postChat(graceStack.baseURL, chatBody(), { tokens: [token] });
      expectAnswer(first, false);
      await graceStack.fake.waitFor((state) => state.openStreams === 0, 1_000);
      expect(graceStack.pool().leases).toBe(0);

      // The upstream still counts the account as generating (its title): the next request is refused
      // once, waits out the backoff in the queue, and is answered, not failed.
      const second = await postChat(graceStack.baseURL, chatBody(), { tokens: [token] });

      expectAnswer(second, false);
      expect(graceStack.fake.state().accounts[token]).toMatchObject({ generations: 2, busyRefusals: 1 });
      await expectSettled(graceStack);
    } finally {
      await graceStack.close();
    }
  }, 15_000);
});

describe('busy refusals queue the request again; 429 only at the queue timeout (e2e)', () => {
  let stack: Stack;
  let serial = 0;
  const freshTokens = (n: number): string[] => {
    const tokens = makeTokens(`busy-${serial++}`, n);
    stack.fake.configure({ accounts: tokens });
    return tokens;
  };

  beforeAll(async () => {
    // Generous: the request waits out a 2 s cooldown after the refusal, whatever the machine's load.
    stack = await startStack({ tokens: [], fake: { reply: { content: REPLY } }, env: { QUEUE_TIMEOUT_MS: '10000' } });
    // The first answer waits for the PoW threads to load (under ts-jest they compile TypeScript, seconds on a
    // busy machine): not what these tests time.
    expectAnswer(await postChat(stack.baseURL, chatBody(), { tokens: freshTokens(1) }), false);
  }, 30_000);
  afterAll(() => stack?.close());

  it.each([false, true])(
    'should answer after a busy refusal on an account we believed free (stream: %s)',
    async (stream) => {
      // Someone types in the web page on the same account: DeepSeek refuses once.
      const [token] = freshTokens(1);
      stack.fake.addFault({ fault: 'busy', account: token, endpoint: 'completion' });

      const res = await postChat(stack.baseURL, chatBody({ stream }), { tokens: [token] });
      expectAnswer(res, stream);
      expect(stack.fake.state().accounts[token]).toMatchObject({ generations: 1 });
      expect(stack.fake.state().requests.completion).toBeGreaterThanOrEqual(2);
      await expectSettled(stack);
    },
    // Past the 10 s queue timeout: a request that waited it out fails on its 429, not on the test's timeout.
    15_000,
  );

  it('should ask each always-busy account a bounded number of times with backoff, then answer 429', async () => {
    const short = await startStack({ tokens: [], env: { QUEUE_TIMEOUT_MS: '3000' } });
    try {
      const tokens = makeTokens('always-busy', 3);
      short.fake.configure({ accounts: tokens });
      short.fake.addFault({ fault: 'busy', endpoint: 'completion', times: 1_000 });
      const started = Date.now();

      const res = await postChat(short.baseURL, chatBody(), { tokens });

      expectOpenAiError(res, 429, { code: 'rate_limit_exceeded', type: 'requests' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Each account: refused, cooled 2 s, refused, cooled 4 s (past the 3 s queue timeout): two calls at most.
      const calls = short.fake.state().requests.completion ?? 0;
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(calls).toBeLessThanOrEqual(6);
      await expectSettled(short);
    } finally {
      await short.close();
    }
  }, 15_000);
});

describe('operator quotas per account (e2e)', () => {
  it('should space generations on one account by ACCOUNT_MIN_INTERVAL_MS, waiting instead of failing', async () => {
    const stack = await startStack({
      tokens: ['tok-spaced'],
      fake: { reply: { content: REPLY } },
      env: { ACCOUNT_MIN_INTERVAL_MS: '400' },
    });
    try {
      const [first, second] = await Promise.all([
        postChat(stack.baseURL, chatBody(), { tokens: ['tok-spaced'] }),
        postChat(stack.baseURL, chatBody(), { tokens: ['tok-spaced'] }),
      ]);
      expectAnswer(first, false);
      expectAnswer(second, false);
      const starts = Object.values(stack.fake.state().sessions)
        .flatMap((session) => session.messages.map((message) => message.startedAt))
        .sort((a, b) => a - b);
      expect(starts).toHaveLength(2);
      expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(390);
      await expectSettled(stack);
    } finally {
      await stack.close();
    }
  });

  it('should hold an account at ACCOUNT_MAX_PER_HOUR: the request waits, then 429 with retry-after at the window end', async () => {
    const stack = await startStack({
      tokens: ['tok-quota'],
      fake: { reply: { content: REPLY } },
      env: { ACCOUNT_MAX_PER_HOUR: '2', QUEUE_TIMEOUT_MS: '300' },
    });
    try {
      for (let i = 0; i < 2; i++) {
        expectAnswer(await postChat(stack.baseURL, chatBody(), { tokens: ['tok-quota'] }), false);
      }

      const third = await postChat(stack.baseURL, chatBody(), { tokens: ['tok-quota'] });

      expectOpenAiError(third, 429, { code: 'rate_limit_exceeded' });
      expect(third.json.error.message).toMatch(/quota/);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(3_500);
      expect(stack.fake.state().requests.completion).toBe(2);
      expect(stack.pool()).toMatchObject({ quota: 1, leases: 0 });
    } finally {
      await stack.close();
    }
  });
});
