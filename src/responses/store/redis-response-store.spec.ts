import { Logger } from '@nestjs/common';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../../test/utils/redis/redis-server';
import { ApiError } from '../../common/errors/api-error';
import { RedisConnections } from '../../common/redis/redis-connections';
import type { ResponseObject } from '../wire/responses-types';
import { RedisResponseStore } from './redis-response-store';
import type { StoredResponse } from './response-store';

const owner = { caller: 'key-hash', accountIds: ['a1'] };

function record(id: string, itemIds = [`msg_${id}`]): StoredResponse {
  const output = itemIds.map((itemId) => ({
    id: itemId,
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: `Answer of ${id}`, annotations: [] }],
  }));
  const response = { id, output } as unknown as ResponseObject;
  return { owner, response, history: [{ type: 'message', role: 'user', content: 'Question' }] };
}

describeWithRedis('RedisResponseStore against a real Redis', () => {
  jest.setTimeout(20_000);
  let redis: RedisServer;
  let warnings: jest.SpyInstance;
  const opened: RedisConnections[] = [];

  /** One replica's store, on its own connections. */
  async function replica(maxEntries = 1000, ttlMs = 60_000): Promise<RedisResponseStore> {
    const connections = new RedisConnections(redis.url);
    opened.push(connections);
    await connections.whenReady(5_000);
    return new RedisResponseStore(connections, { responsesStoreMaxEntries: maxEntries, responsesStoreTtlMs: ttlMs });
  }

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    redis = await startRedisServer();
  });
  beforeEach(() => warnings.mockClear());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connections) => connections.close()));
    if (!redis) return;
    await redis.kill();
    await redis.start();
  });
  afterAll(async () => {
    await redis?.stop();
    jest.restoreAllMocks();
  });

  it("should give one replica's saved response, and its output items by id, to another", async () => {
    const [a, b] = [await replica(), await replica()];
    await a.save(record('resp_1', ['msg_1', 'fc_1']));

    expect(await b.get('resp_1')).toEqual(record('resp_1', ['msg_1', 'fc_1']));
    expect(await b.findItem('fc_1')).toEqual({
      record: record('resp_1', ['msg_1', 'fc_1']),
      item: record('resp_1', ['msg_1', 'fc_1']).response.output[1],
    });
    expect(await b.get('resp_unknown')).toBeUndefined();
    expect(await b.findItem('msg_unknown')).toBeUndefined();
  });

  it('should forget a deleted response and its output items, on every replica', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.save(record('resp_1'));

    expect(await b.delete('resp_1')).toBe(true);
    expect(await b.delete('resp_1')).toBe(false);
    expect(await a.get('resp_1')).toBeUndefined();
    expect(await a.findItem('msg_resp_1')).toBeUndefined();
    const probe = opened[0].command;
    expect(await probe.keys('dsgw:response*')).toEqual([]);
  });

  it('should let a response and its items expire after the TTL', async () => {
    const store = await replica(1000, 200);
    await store.save(record('resp_1'));
    expect(await store.get('resp_1')).toBeDefined();

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.findItem('msg_resp_1')).toBeUndefined();
  });

  it('should keep nothing with RESPONSES_STORE_MAX_ENTRIES=0', async () => {
    const store = await replica(0);
    await store.save(record('resp_1'));

    expect(await store.get('resp_1')).toBeUndefined();
    expect(await opened[0].command.dbsize()).toBe(0);
  });

  it('should refuse reads with a 503 while Redis is down, rather than answer "not found"', async () => {
    const store = await replica();
    await store.save(record('resp_1'));
    await redis.kill();

    for (const read of [() => store.get('resp_1'), () => store.findItem('msg_resp_1'), () => store.delete('resp_1')]) {
      const error = await read().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: 'response_store_unavailable', retryAfterSec: 1 });
      expect((error as ApiError).getStatus()).toBe(503);
    }
  });

  it('should resolve a save while Redis is down, with a warning that names the response but not its content', async () => {
    const store = await replica();
    await redis.kill();

    await expect(store.save(record('resp_1'))).resolves.toBeUndefined();
    const logged = warnings.mock.calls.map((call) => String(call[0])).join('\n');
    expect(logged).toContain('resp_1');
    expect(logged).not.toContain('Answer of');
    expect(logged).not.toContain('Question');
  });
});
