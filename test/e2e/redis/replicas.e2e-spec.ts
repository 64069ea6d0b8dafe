import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { type FakeDeepSeek, startFakeDeepSeek } from '../../fake-deepseek';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../utils/redis/redis-server';
import { startTestApp, type TestApp } from '../../utils/test-app';
import { upstreamMessages } from '../../utils/upstream-view';

const ACCOUNTS = ['tok-replica-1', 'tok-replica-2', 'tok-replica-3', 'tok-replica-4', 'tok-replica-5'];

/** Two gateways on one Redis and one fake DeepSeek, the accounts the clients' own tokens. */
describeWithRedis('several replicas on one Redis (e2e)', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let fake: FakeDeepSeek;
  let replicas: TestApp[];
  const clientOf = (app: TestApp) =>
    new OpenAI({ baseURL: `${app.url}/v1`, apiKey: ACCOUNTS.join(','), maxRetries: 0, timeout: 50_000 });

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await startFakeDeepSeek({ accounts: ACCOUNTS, powDifficulty: 1000, reply: { content: 'One answer.' } });
    const env = {
      DEEPSEEK_BASE_URL: fake.url,
      REDIS_URL: redis.url,
      QUEUE_TIMEOUT_MS: '40000',
      RATE_LIMIT_CHAT_PER_MINUTE: '0',
    };
    replicas = [await startTestApp(env), await startTestApp(env)];
  });
  afterAll(async () => {
    for (const app of replicas ?? []) await app.close();
    await fake?.close();
    await redis?.stop();
  });
  beforeEach(() => fake.reset());

  it('should never put two generations on one account across replicas: 200 requests over 5 accounts', async () => {
    fake.configure({ tokenDelayMs: 2 });
    const clients = replicas.map(clientOf);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        clients[i % 2].chat.completions
          .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: `Question ${i}` }] })
          .then(
            (completion) => completion.choices[0].message.content,
            (error: { status?: number; message?: string }) => `error ${error.status} ${error.message}`,
          ),
      ),
    );
    const accounts = Object.values(fake.state().accounts);
    expect(accounts.map((account) => account.maxInFlight)).toEqual([1, 1, 1, 1, 1]);
    expect(accounts.reduce((sum, account) => sum + account.busyRefusals, 0)).toBe(0);
    expect(outcomes.filter((outcome) => outcome !== 'One answer.')).toEqual([]);
    expect(accounts.reduce((sum, account) => sum + account.generations, 0)).toBe(200);
  });

  it('should continue on replica B a conversation that replica A answered', async () => {
    const [a, b] = replicas.map(clientOf);
    const history: ChatCompletionMessageParam[] = [{ role: 'user', content: 'One.' }];
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

  it('should refuse with 503 while Redis is down (fail closed) and serve again once it is back, without a restart', async () => {
    const client = clientOf(replicas[0]);
    await redis.kill();
    try {
      const refused = await client.chat.completions
        .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Now?' }] })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 503 });
      expect(String((refused as Error).message)).toMatch(/lock store is unavailable/);
    } finally {
      await redis.start();
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answer = await client.chat.completions
        .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'And now?' }] })
        .then((completion) => completion.choices[0].message.content)
        .catch(() => null);
      if (answer === 'One answer.') break;
      if (Date.now() > deadline) throw new Error('the replica did not recover after Redis came back');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});

describeWithRedis('rate limits across replicas on one Redis (e2e)', () => {
  jest.setTimeout(30_000);
  let redis: RedisServer;
  let fake: FakeDeepSeek;
  let replicas: TestApp[];

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await startFakeDeepSeek({ accounts: ACCOUNTS, powDifficulty: 1000, reply: { content: 'One answer.' } });
    const env = { DEEPSEEK_BASE_URL: fake.url, REDIS_URL: redis.url, RATE_LIMIT_CHAT_PER_MINUTE: '3' };
    replicas = [await startTestApp(env), await startTestApp(env)];
  });
  afterAll(async () => {
    for (const app of replicas ?? []) await app.close();
    await fake?.close();
    await redis?.stop();
  });

  it("should count a client's requests once, whichever replica they reach", async () => {
    const ask = (app: TestApp) =>
      new OpenAI({ baseURL: `${app.url}/v1`, apiKey: ACCOUNTS.join(','), maxRetries: 0 }).chat.completions
        .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] })
        .then(
          () => 200,
          (error: { status?: number }) => error.status,
        );
    const statuses = [];
    for (const app of [replicas[0], replicas[1], replicas[0], replicas[1]]) statuses.push(await ask(app));
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
