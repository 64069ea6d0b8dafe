import OpenAI from 'openai';
import type { Response } from 'openai/resources/responses/responses';
import { REDIS } from '../../../src/common/redis/redis.module';
import type { RedisConnections } from '../../../src/common/redis/redis-connections';
import { type FakeDeepSeek, startFakeDeepSeek } from '../../fake-deepseek';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../utils/redis/redis-server';
import { startTestApp, type TestApp } from '../../utils/test-app';
import { upstreamMessages } from '../../utils/upstream-view';

const ACCOUNTS = ['tok-responses-1', 'tok-responses-2'];

/** Stored Responses API responses with two gateways on one Redis and one fake DeepSeek. */
describeWithRedis('stored responses across replicas on one Redis (e2e)', () => {
  jest.setTimeout(60_000);
  let redis: RedisServer;
  let fake: FakeDeepSeek;
  let replicas: TestApp[];
  let a: OpenAI;
  let b: OpenAI;

  beforeAll(async () => {
    redis = await startRedisServer();
    fake = await startFakeDeepSeek({ accounts: ACCOUNTS, powDifficulty: 1000 });
    const env = { DEEPSEEK_BASE_URL: fake.url, REDIS_URL: redis.url };
    replicas = [await startTestApp(env), await startTestApp(env)];
    [a, b] = replicas.map(
      (app) => new OpenAI({ baseURL: `${app.url}/v1`, apiKey: ACCOUNTS.join(','), maxRetries: 0, timeout: 50_000 }),
    );
  });
  afterAll(async () => {
    for (const app of replicas ?? []) await app.close();
    await fake?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    fake.reset();
    fake.configure({ replyFor: ({ prompt }) => ({ content: prompt.includes('second') ? 'Two.' : 'One.' }) });
  });

  it('should retrieve on replica B a response created on replica A, and continue it there', async () => {
    const first = await a.responses.create({ model: 'deepseek-chat', input: 'first question' });

    await expect(b.responses.retrieve(first.id)).resolves.toEqual(first);
    const second = await b.responses.create({
      model: 'deepseek-chat',
      previous_response_id: first.id,
      input: 'second question',
    });
    expect(second).toMatchObject({ previous_response_id: first.id, output_text: 'Two.' });
    const [firstTurn, secondTurn] = upstreamMessages(fake);
    expect(secondTurn).toMatchObject({
      sessionId: firstTurn.sessionId,
      parentMessageId: firstTurn.responseMessageId,
      prompt: 'second question',
    });
  });

  it('should continue on replica B, at once, a response that replica A has just streamed', async () => {
    let first: Response | undefined;
    for await (const event of await a.responses.create({
      model: 'deepseek-chat',
      input: 'first question',
      stream: true,
    })) {
      if (event.type === 'response.completed') first = event.response;
    }

    const second = await b.responses.create({
      model: 'deepseek-chat',
      previous_response_id: first!.id,
      input: 'second question',
    });
    expect(second.output_text).toBe('Two.');
    expect(upstreamMessages(fake)).toHaveLength(2);
  });

  it("should resolve on replica B an item_reference to replica A's output", async () => {
    const first = await a.responses.create({ model: 'deepseek-chat', input: 'first question' });

    const second = await b.responses.create({
      model: 'deepseek-chat',
      input: [
        { role: 'user', content: 'first question' },
        { type: 'item_reference', id: first.output[0].id! },
        { role: 'user', content: 'second question' },
      ],
    });
    expect(second.output_text).toBe('Two.');
  });

  it('should answer 404 on replica A for a response deleted on replica B', async () => {
    const created = await a.responses.create({ model: 'deepseek-chat', input: 'first question' });

    await expect(b.responses.delete(created.id)).resolves.toMatchObject({ id: created.id, deleted: true });
    await expect(a.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      a.responses.create({ model: 'deepseek-chat', previous_response_id: created.id, input: 'second question' }),
    ).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  it('should refuse a previous_response_id with a 503 while Redis is down, not start a fresh conversation, and answer again once it is back', async () => {
    const created = await a.responses.create({ model: 'deepseek-chat', input: 'first question' });
    fake.reset();
    await redis.kill();
    try {
      for (const stream of [false, true]) {
        const refused = await b.responses
          .create({ model: 'deepseek-chat', previous_response_id: created.id, input: 'second question', stream })
          .catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
        expect(refused).toMatchObject({ status: 503, code: 'response_store_unavailable' });
      }
      await expect(b.responses.retrieve(created.id)).rejects.toMatchObject({
        status: 503,
        code: 'response_store_unavailable',
      });
      expect(upstreamMessages(fake)).toHaveLength(0);
    } finally {
      await redis.start();
    }
    // The restarted Redis is empty: the response is unknown now, on both replicas, once they reconnected.
    await until(async () => {
      const statuses = await Promise.all(
        [a, b].map((client) =>
          client.responses.retrieve(created.id).catch((error: { status?: number }) => error.status),
        ),
      );
      return statuses.every((status) => status === 404);
    }, 'both replicas to read the restarted Redis');
    // Closing a replica while its subscriber is still reconnecting would fail its queued commands.
    await until(
      () => replicas.every((app) => app.app.get<RedisConnections>(REDIS).subscriber.status === 'ready'),
      'both replicas to subscribe again',
    );
  });
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
