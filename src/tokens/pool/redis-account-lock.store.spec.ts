import { Logger } from '@nestjs/common';
import { describeWithRedis, type RedisServer, startRedisServer } from '../../../test/utils/redis/redis-server';
import { RedisConnections } from '../../common/redis/redis-connections';
import { RedisAccountLockStore, type RedisFailureMode } from './redis-account-lock.store';

const TTL = 5_000;
const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describeWithRedis('RedisAccountLockStore against a real Redis', () => {
  jest.setTimeout(20_000);
  let redis: RedisServer;
  let loggedErrors: jest.SpyInstance;
  const opened: RedisConnections[] = [];

  /** One replica's store, on its own connections. */
  async function replica(mode: RedisFailureMode = 'closed'): Promise<RedisAccountLockStore> {
    const connections = new RedisConnections(redis.url);
    opened.push(connections);
    await until(() => connections.ready && connections.subscriber.status === 'ready', 'the connections');
    const store = new RedisAccountLockStore(connections, mode);
    // The subscription is asynchronous: give it a moment before anything is published.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return store;
  }

  beforeAll(async () => {
    // The outage tests make the store log loudly, as it should; not on the test output.
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connections) => connections.close()));
    if (!redis) return;
    await redis.kill();
    await redis.start();
  });
  afterAll(() => redis?.stop());

  it('should hand out at most `limit` slots of an account across replicas', async () => {
    const [a, b] = [await replica(), await replica()];
    const first = await a.tryAcquire('acct-1', 1, TTL);
    expect(first).toEqual(expect.any(String));
    expect(await b.tryAcquire('acct-1', 1, TTL)).toBeNull();
    expect(await b.tryAcquire('acct-2', 1, TTL)).toEqual(expect.any(String));
    const both = await Promise.all([
      a.tryAcquire('acct-3', 2, TTL),
      b.tryAcquire('acct-3', 2, TTL),
      a.tryAcquire('acct-3', 2, TTL),
    ]);
    expect(both.filter((lease) => lease !== null)).toHaveLength(2);
  });

  it("should free a slot only for its holder's id, and wake the other replica's waiters", async () => {
    const [a, b] = [await replica(), await replica()];
    const released: string[] = [];
    b.onRelease((accountId) => released.push(accountId));
    const lease = (await a.tryAcquire('acct-1', 1, TTL))!;
    await a.release('acct-1', 'not-the-holder');
    expect(await b.tryAcquire('acct-1', 1, TTL)).toBeNull();
    await a.release('acct-1', lease);
    await until(() => released.includes('acct-1'), 'the release to reach the other replica');
    expect(await b.tryAcquire('acct-1', 1, TTL)).toEqual(expect.any(String));
  });

  it("should let a dead replica's lease expire after its TTL, waking the waiters then", async () => {
    const [a, b] = [await replica(), await replica()];
    const woken: string[] = [];
    b.onRelease((accountId) => woken.push(accountId));
    expect(await a.tryAcquire('acct-1', 1, 300)).toEqual(expect.any(String));
    expect(await b.tryAcquire('acct-1', 1, TTL)).toBeNull();
    // `a` never releases nor renews (it crashed).
    await until(() => woken.includes('acct-1'), 'the expiry wake-up');
    expect(await b.tryAcquire('acct-1', 1, TTL)).toEqual(expect.any(String));
  });

  it('should keep a renewed lease past its first TTL, and refuse to renew an expired one', async () => {
    const [a, b] = [await replica(), await replica()];
    const lease = (await a.tryAcquire('acct-1', 1, 300))!;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await a.renew('acct-1', lease, 300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await b.tryAcquire('acct-1', 1, TTL)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await a.renew('acct-1', lease, 300)).toBe(false);
  });

  it('should refuse leases while Redis is down (closed) and serve again once it is back', async () => {
    const a = await replica('closed');
    await redis.kill();
    await expect(a.tryAcquire('acct-1', 1, TTL)).rejects.toThrow(/Redis is unreachable/);
    await redis.start();
    await until(
      async () => (await a.tryAcquire('acct-1', 1, TTL).catch(() => null)) !== null,
      'Redis to come back',
      10_000,
    );
  });

  it('should lock per replica while Redis is down in local mode, and share locks again once it is back', async () => {
    const [a, b] = [await replica('local'), await replica('local')];
    await redis.kill();
    const local = (await a.tryAcquire('acct-1', 1, TTL))!;
    expect(local).toEqual(expect.any(String));
    expect(loggedErrors).toHaveBeenCalledWith(expect.stringContaining('accounts are locked per replica'));
    expect(await a.tryAcquire('acct-1', 1, TTL)).toBeNull();
    expect(await a.renew('acct-1', local, TTL)).toBe(true);
    await a.release('acct-1', local);
    await redis.start();
    await until(async () => (await a.tryAcquire('acct-1', 1, TTL)) !== null, 'Redis to come back', 10_000);
    await until(async () => (await b.tryAcquire('acct-1', 1, TTL)) === null, 'the shared lock');
  });
});
