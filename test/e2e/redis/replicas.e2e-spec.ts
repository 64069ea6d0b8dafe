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
