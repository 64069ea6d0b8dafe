import OpenAI from 'openai';
import { type FakeDeepSeek, startFakeDeepSeek } from '../../fake-deepseek';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../utils/redis/redis-server';
import { startTestApp, type TestApp } from '../../utils/test-app';
import { upstreamMessages } from '../../utils/upstream-view';

const ask = (app: TestApp, accounts: readonly string[], prompt: string) =>
  new OpenAI({ baseURL: `${app.url}/v1`, apiKey: accounts.join(','), maxRetries: 0, timeout: 30_000 }).chat.completions
    .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: prompt }] })
    .then(
      (completion) => ({ status: 200, content: completion.choices[0].message.content }),
      (error: { status?: number; message?: string }) => ({ status: error.status, content: error.message }),
    );

/**
 * Two gateways in this process, one Redis, one fake DeepSeek: what one replica learns about an account, the
 * other knows, and a replica's older waiter is served before the newer ones of the replica that frees the account.
 */
describeWithRedis('account state shared by replicas (e2e)', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let fake: FakeDeepSeek;
  const replicas: TestApp[] = [];
  const start = async (): Promise<[TestApp, TestApp]> => {
    const env = { DEEPSEEK_BASE_URL: fake.url, REDIS_URL: redis.url, RATE_LIMIT_CHAT_PER_MINUTE: '0' };
    const pair: [TestApp, TestApp] = [await startTestApp(env), await startTestApp(env)];
    replicas.push(...pair);
    return pair;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await startFakeDeepSeek({
      accounts: ['tok-health-1', 'tok-health-2', 'tok-fair'],
      powDifficulty: 1000,
      reply: { content: 'One answer.' },
    });
  });
  afterEach(async () => {
    for (const app of replicas.splice(0)) await app.close();
    fake.reset();
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
  });

  it('should keep a muted account out on every replica and check each token once, whichever replica uses it', async () => {
    const accounts = ['tok-health-1', 'tok-health-2'];
    const [a, b] = await start();
    expect(await ask(b, accounts, 'Warm up B.')).toEqual({ status: 200, content: 'One answer.' });
    const first = upstreamMessages(fake)[0].account;
    const other = accounts.find((account) => account !== first) ?? '';

    // The account B used gets muted under A's request: A moves on to the other account.
    fake.addFault({ fault: 'muted', account: first, endpoint: 'completion', params: { seconds: 600 } });
    expect(await ask(a, accounts, 'Through A.')).toEqual({ status: 200, content: 'One answer.' });
    const completionsBefore = fake.state().requests.completion ?? 0;

    for (const prompt of ['B again.', 'And again.', 'Once more.']) {
      expect(await ask(b, accounts, prompt)).toEqual({ status: 200, content: 'One answer.' });
    }
    // B never tried the muted account (each answer is one completion request), and nobody checked a token twice.
    expect((fake.state().requests.completion ?? 0) - completionsBefore).toBe(3);
    expect(
      upstreamMessages(fake)
        .slice(-3)
        .map((message) => message.account),
    ).toEqual([other, other, other]);
    expect(fake.state().requests.users_current).toBe(2);
  });

  it("should serve a replica's waiter before newer waiters of the replica that frees the account", async () => {
    const [a, b] = await start();
    for (const app of [a, b]) await ask(app, ['tok-fair'], 'Warm up.');
    fake.reset();
    // Each answer holds the account for about a second; A keeps freeing it and hears of that first.
    fake.configure({ tokenDelayMs: 50, reply: { content: 'A slow answer in four tokens.' } });
    const sendAt = (ms: number, app: TestApp, prompt: string) =>
      new Promise((resolve) => setTimeout(resolve, ms)).then(() => ask(app, ['tok-fair'], prompt));
    const outcomes = await Promise.all([
      sendAt(0, a, 'A1'),
      sendAt(150, a, 'A2'),
      sendAt(300, b, 'B1'),
      sendAt(450, a, 'A3'),
      sendAt(600, a, 'A4'),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([200, 200, 200, 200, 200]);
    expect(upstreamMessages(fake).map((message) => message.prompt)).toEqual(['A1', 'A2', 'B1', 'A3', 'A4']);
  });
});
