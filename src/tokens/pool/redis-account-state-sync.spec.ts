import { describeWithRedis, type RedisServer, startRedisServer } from '../../../test/utils/redis/redis-server';
import { RedisConnections } from '../../common/redis/redis-connections';
import type { AccountUpdate, SharedAccountState } from './account-state-sync';
import { RedisAccountStateSync } from './redis-account-state-sync';

const HOUR = 3_600_000;
const until = async (check: () => boolean, what: string, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const muted: SharedAccountState = {
  validUntil: 0,
  invalidUntil: 0,
  mutedUntil: Date.now() + HOUR,
  suspended: false,
  banned: false,
  coolUntil: 0,
  refusals: 0,
  lastError: { kind: 'muted', at: Date.now() },
};

describeWithRedis('RedisAccountStateSync against a real Redis', () => {
  jest.setTimeout(20_000);
  let redis: RedisServer;
  const opened: RedisConnections[] = [];

  /** One replica's sync, on its own connections, with what it heard from the others. */
  async function replica(): Promise<{ sync: RedisAccountStateSync; heard: [string, AccountUpdate][] }> {
    const connections = new RedisConnections(redis.url);
    opened.push(connections);
    await until(() => connections.ready && connections.subscriber.status === 'ready', 'the connections');
    const sync = new RedisAccountStateSync(connections);
    const heard: [string, AccountUpdate][] = [];
    sync.onUpdate((id, update) => heard.push([id, update]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { sync, heard };
  }

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connections) => connections.close()));
    await redis.kill();
    await redis.start();
  });
  afterAll(() => redis?.stop());

  it("should tell the other replicas an account's state (not itself) and keep it for a replica that comes later", async () => {
    const [a, b] = [await replica(), await replica()];
    a.sync.publishState('acct-1', muted);
    await until(() => b.heard.length === 1, 'the update');
    expect(b.heard).toEqual([['acct-1', { state: muted }]]);
    expect(a.heard).toEqual([]);

    const later = await replica();
    const known = await later.sync.load(['acct-1', 'acct-unknown']);
    expect(known.get('acct-1')).toEqual({ state: muted, starts: [] });
    expect(known.has('acct-unknown')).toBe(false);
  });

  it('should refuse a start within the minimum interval of a start on another replica', async () => {
    const [a, b] = [await replica(), await replica()];
    const quota = { minIntervalMs: 10_000, maxPerHour: 0 };
    const t = Date.now();
    expect(await a.sync.claimStart('acct-2', t, quota)).toEqual({ granted: true, starts: [t] });
    expect(await b.sync.claimStart('acct-2', t + 5_000, quota)).toEqual({ granted: false, starts: [t] });
    expect(await b.sync.claimStart('acct-2', t + 10_000, quota)).toEqual({ granted: true, starts: [t, t + 10_000] });
    await until(() => b.heard.length === 1 && a.heard.length === 1, 'the starts');
    expect(b.heard).toEqual([['acct-2', { start: t }]]);
  });

  it('should count the hourly quota over every replica and restamp a start when its request went out', async () => {
    const [a, b] = [await replica(), await replica()];
    const quota = { minIntervalMs: 0, maxPerHour: 2 };
    const t = Date.now();
    a.sync.publishStart('acct-3', t - HOUR - 1); // an hour old: no longer counts
    expect((await a.sync.claimStart('acct-3', t, quota)).granted).toBe(true);
    a.sync.restampStart('acct-3', t, t + 300);
    expect((await b.sync.claimStart('acct-3', t + 1_000, quota)).granted).toBe(true);
    expect(await a.sync.claimStart('acct-3', t + 2_000, quota)).toEqual({
      granted: false,
      starts: [t + 300, t + 1_000],
    });
    await until(() => b.heard.length === 3, 'the updates');
    expect(b.heard.slice(1)).toEqual([
      ['acct-3', { start: t }],
      ['acct-3', { start: t + 300, replaces: t }],
    ]);
  });
});
