import OpenAI from 'openai';
import { type FakeDeepSeek, startFakeDeepSeek } from '../../fake-deepseek';
import { type GatewayProcess, startGatewayProcess } from '../../utils/gateway-process';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../utils/redis/redis-server';
import { sleep } from '../../utils/settle';
import { upstreamMessages } from '../../utils/upstream-view';

const ACCOUNTS = ['tok-process-1', 'tok-process-2', 'tok-process-3', 'tok-process-4', 'tok-process-5'];
const ANSWER = 'One answer.';
/** Streamed one character per frame: its length times `tokenDelayMs` is how long a stream lasts. */
const SLOW_ANSWER = 'A slow answer, one character at a time, for a while.';

type Outcome = { answer: string | null } | { status: number | undefined; message: string };

const clientOf = (gateway: GatewayProcess, tokens: readonly string[] = ACCOUNTS) =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: tokens.join(','), maxRetries: 0, timeout: 50_000 });

function ask(client: OpenAI, prompt: string): Promise<Outcome> {
  return client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: prompt }] }).then(
    (completion) => ({ answer: completion.choices[0].message.content }),
    (error: { status?: number; message?: string }) => ({ status: error.status, message: String(error.message) }),
  );
}

/** Asks again every 200 ms until the answer comes (a replica reconnecting to Redis). */
async function untilAnswered(client: OpenAI, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const outcome = await ask(client, 'And now?');
    if ('answer' in outcome && outcome.answer === ANSWER) return;
    if (Date.now() > deadline) throw new Error(`still no answer after ${withinMs} ms: ${JSON.stringify(outcome)}`);
    await sleep(200);
  }
}

/** A streamed answer: `firstContent` once text arrives, `text` all of it (rejects if the stream breaks). */
function streamAnswer(client: OpenAI, prompt: string): { firstContent: Promise<void>; text: Promise<string> } {
  let started = (): void => undefined;
  const firstContent = new Promise<void>((resolve) => (started = resolve));
  const text = (async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: prompt }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (text !== '') started();
    }
    return text;
  })();
  return { firstContent: Promise.race([firstContent, text.then(() => undefined)]), text };
}

/** Real gateway processes, the accounts the clients' own tokens (pass-through), on one Redis and one fake DeepSeek. */
describeWithRedis('replicas as real processes on one Redis (e2e)', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let fake: FakeDeepSeek;

  const startReplicas = (count: number, env: Record<string, string>): Promise<GatewayProcess[]> =>
    Promise.all(
      Array.from({ length: count }, () =>
        startGatewayProcess({
          DEEPSEEK_BASE_URL: fake.url,
          REDIS_URL: redis.url,
          RATE_LIMIT_CHAT_PER_MINUTE: '0',
          RATE_LIMIT_NEW_TOKENS_PER_MINUTE: '0',
          ...env,
        }),
      ),
    );

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await startFakeDeepSeek({ accounts: ACCOUNTS, powDifficulty: 1000, reply: { content: ANSWER } });
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
  });
  beforeEach(() => fake.reset());

  describe('two replicas', () => {
    const QUEUE_TIMEOUT_MS = 30_000;
    let replicas: GatewayProcess[] = [];

    beforeAll(async () => {
      // A heartbeat every 2 s: a stream of a few seconds renews its lease while Redis is down.
      replicas = await startReplicas(2, { QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS), LEASE_TTL_MS: '6000' });
    });
    afterAll(() => Promise.all(replicas.map((replica) => replica.stop())));

    it('should never put two generations on one account: 200 concurrent requests over 5 accounts', async () => {
      fake.configure({ tokenDelayMs: 2 });
      const clients = replicas.map((replica) => clientOf(replica));
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const sentAt = Date.now();
          const outcome = await ask(clients[i % 2], `Question ${i}`);
          return { outcome, waitedMs: Date.now() - sentAt };
        }),
      );
      const accounts = Object.values(fake.state().accounts);
      expect(accounts.map((account) => account.maxInFlight)).toEqual([1, 1, 1, 1, 1]);
      expect(accounts.reduce((sum, account) => sum + account.busyRefusals, 0)).toBe(0);
      const answered = outcomes.filter(({ outcome }) => 'answer' in outcome && outcome.answer === ANSWER);
      const timedOut = outcomes.filter(
        ({ outcome, waitedMs }) => 'status' in outcome && outcome.status === 429 && waitedMs >= QUEUE_TIMEOUT_MS,
      );
      expect(outcomes.filter((outcome) => !answered.includes(outcome) && !timedOut.includes(outcome))).toEqual([]);
      expect(accounts.reduce((sum, account) => sum + account.generations, 0)).toBe(answered.length);
    });

    it('should refuse with 503 while Redis is down, finish the answer already streaming, and serve again once Redis is back, without a restart', async () => {
      fake.configure({ tokenDelayMs: 100, charsPerFrame: 1, reply: { content: SLOW_ANSWER } });
      const [a, b] = replicas.map((replica) => clientOf(replica));
      const streaming = streamAnswer(a, 'Tell me slowly.');
      await streaming.firstContent;
      await redis.kill();
      try {
        for (const client of [a, b]) {
          const refused = await ask(client, 'Now?');
          expect(refused).toMatchObject({ status: 503, message: expect.stringMatching(/lock store is unavailable/) });
        }
        // Its lease could be neither renewed nor released: the answer goes on regardless.
        await expect(streaming.text).resolves.toBe(SLOW_ANSWER);
        expect(replicas[0].output()).toMatch(/renewing the lease of account \S+ failed/);
      } finally {
        await redis.start();
      }
      fake.configure({ tokenDelayMs: 0, reply: { content: ANSWER } });
      for (const client of [a, b]) await untilAnswered(client, 15_000);
    });
  });

  describe('a replica killed mid-stream', () => {
    const LEASE_TTL_MS = 3_000;
    const MARGIN_MS = 3_000;
    let replicas: GatewayProcess[] = [];

    beforeAll(async () => {
      replicas = await startReplicas(2, { QUEUE_TIMEOUT_MS: '20000', LEASE_TTL_MS: String(LEASE_TTL_MS) });
    });
    afterAll(() => Promise.all(replicas.map((replica) => replica.stop())));

    it("should serve the other replica's waiting requests once the dead one's lease expired, never two on the account", async () => {
      const account = ACCOUNTS[0];
      // 52 frames of 25 ms: the fake ends the dead replica's round (it keeps generating after a
      // disconnect, as DeepSeek does) well before the lease, last renewed at most a third of the TTL ago, expires.
      fake.configure({ tokenDelayMs: 25, charsPerFrame: 1, reply: { content: SLOW_ANSWER } });
      const [a, b] = replicas.map((replica) => clientOf(replica, [account]));
      const streaming = streamAnswer(a, 'Tell me slowly.');
      const broken = streaming.text.then(
        () => 'completed',
        () => 'broken',
      );
      await streaming.firstContent;
      const waiting = [1, 2, 3].map((i) => ask(b, `Waiting ${i}`));
      await sleep(300);
      expect(fake.state().accounts[account]).toMatchObject({ generations: 1, busyRefusals: 0 });

      const killedAt = Date.now();
      await replicas[0].kill('SIGKILL');
      fake.configure({ tokenDelayMs: 0 });
      const outcomes = await Promise.all(waiting);

      expect(outcomes).toEqual([1, 2, 3].map(() => ({ answer: SLOW_ANSWER })));
      expect(await broken).toBe('broken');
      const [dead, ...served] = upstreamMessages(fake);
      expect(fake.state().aborts).toEqual([expect.objectContaining({ account, messageId: dead.responseMessageId })]);
      expect(served).toHaveLength(3);
      for (const message of served) expect(message.startedAt).toBeGreaterThanOrEqual(dead.endedAt ?? Infinity);
      expect(served[0].startedAt - killedAt).toBeLessThan(LEASE_TTL_MS + MARGIN_MS);
      expect(fake.state().accounts[account]).toMatchObject({ maxInFlight: 1, busyRefusals: 0 });
    });
  });
  describe('two replicas: conversations and quotas', () => {
    let replicas: GatewayProcess[] = [];

    beforeAll(async () => {
      // The earlier tests' generations count for an hour: an empty Redis (restarted without persistence).
      await redis.kill();
      await redis.start();
      replicas = await startReplicas(2, { ACCOUNT_MAX_PER_HOUR: '2', QUEUE_TIMEOUT_MS: '1500' });
    });
    afterAll(() => Promise.all(replicas.map((replica) => replica.stop())));

    it('should continue on replica B a conversation that replica A answered', async () => {
      const [a, b] = replicas.map((replica) => clientOf(replica, [ACCOUNTS[0]]));
      const history: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'One.' }];
      const first = await a.chat.completions.create({ model: 'deepseek-chat', messages: history });
      history.push({ role: 'assistant', content: first.choices[0].message.content }, { role: 'user', content: 'Two.' });
      await b.chat.completions.create({ model: 'deepseek-chat', messages: history });

      const [turn1, turn2] = upstreamMessages(fake);
      expect(turn2).toMatchObject({
        sessionId: turn1.sessionId,
        account: turn1.account,
        parentMessageId: turn1.responseMessageId,
        prompt: 'Two.',
      });
    });

    it("should count an account's hourly quota once, whichever replica starts the generation", async () => {
      const [a, b] = replicas.map((replica) => clientOf(replica, [ACCOUNTS[1]]));
      const outcomes = [await ask(a, 'Quota 1'), await ask(b, 'Quota 2'), await ask(a, 'Quota 3')];

      expect(outcomes.slice(0, 2)).toEqual([{ answer: ANSWER }, { answer: ANSWER }]);
      expect(outcomes[2]).toMatchObject({ status: 429, message: expect.stringMatching(/quota/i) });
      expect(fake.state().accounts[ACCOUNTS[1]].generations).toBe(2);
    });
  });

  describe('two replicas: rate limits', () => {
    let replicas: GatewayProcess[] = [];

    beforeAll(async () => {
      replicas = await startReplicas(2, { RATE_LIMIT_CHAT_PER_MINUTE: '3' });
    });
    afterAll(() => Promise.all(replicas.map((replica) => replica.stop())));

    it("should count a client's requests once, whichever replica they reach", async () => {
      const [a, b] = replicas.map((replica) => clientOf(replica));
      const outcomes = [];
      for (const client of [a, b, a, b]) outcomes.push(await ask(client, 'Hi'));

      expect(outcomes.slice(0, 3)).toEqual([{ answer: ANSWER }, { answer: ANSWER }, { answer: ANSWER }]);
      expect(outcomes[3]).toMatchObject({ status: 429 });
    });
  });
});
