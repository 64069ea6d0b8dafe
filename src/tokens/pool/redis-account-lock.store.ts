import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RedisConnections } from '../../common/redis/redis-connections';
import { AccountLockStore } from './account-lock.store';
import { InMemoryAccountLockStore } from './in-memory-account-lock.store';

const RELEASED = 'dsgw:released';
const slotsKey = (accountId: string) => `dsgw:slots:${accountId}`;

/**
 * Each account's slots are a sorted set of lease ids scored by their expiry, in Redis time (every
 * replica reads the same clock). Expired leases are dropped on every call. Returns the lease id when a
 * slot was free, else the earliest expiry (ms) of the held ones.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2]) - now}
`;

/** Extends a live lease; 0 when it had expired. */
const RENEW = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/** Compare-and-delete: only the holder's id frees its slot; every replica hears of it. */
const RELEASE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

export type RedisFailureMode = 'closed' | 'local';

/**
 * Account slots shared by every replica through Redis (`REDIS_URL`). A release anywhere wakes the
 * waiters of every replica (pub/sub); a lease whose replica died expires after its TTL, and the waiters
 * of that account are woken at that moment. While Redis is unreachable, `closed` (the default) fails
 * the lease (503); `local` uses per-replica slots until Redis is back, which can put two generations on
 * one account across replicas: it is logged at every switch.
 */
export class RedisAccountLockStore extends AccountLockStore {
  private readonly logger = new Logger(RedisAccountLockStore.name);
  private readonly listeners = new Set<(accountId: string) => void>();
  private readonly local = new InMemoryAccountLockStore();
  private readonly localLeases = new Set<string>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private usingLocal = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly failureMode: RedisFailureMode,
  ) {
    super();
    void this.redis.subscriber.subscribe(RELEASED).catch(() => undefined);
    // `<replica id> <account id>`: this replica's own releases woke its waiters already.
    this.redis.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== RELEASED) return;
      const [from, accountId] = message.split(' ');
      if (from !== this.redis.replicaId && accountId) this.notify(accountId);
    });
    this.local.onRelease((accountId) => this.notify(accountId));
  }

  async tryAcquire(accountId: string, limit: number, ttlMs: number): Promise<string | null> {
    const leaseId = randomUUID();
    let reply: [number, number];
    try {
      reply = (await this.redis.command.eval(ACQUIRE, 1, slotsKey(accountId), limit, ttlMs, leaseId)) as [
        number,
        number,
      ];
    } catch (error) {
      return this.withoutRedis(error, () => this.local.tryAcquire(accountId, limit, ttlMs), true);
    }
    this.backOnRedis();
    if (reply[0] === 1) return leaseId;
    this.wakeAtExpiry(accountId, reply[1]);
    return null;
  }

  async renew(accountId: string, leaseId: string, ttlMs: number): Promise<boolean> {
    if (this.localLeases.has(leaseId)) return this.local.renew(accountId, leaseId, ttlMs);
    try {
      return (await this.redis.command.eval(RENEW, 1, slotsKey(accountId), leaseId, ttlMs)) === 1;
    } catch (error) {
      return this.withoutRedis(error, () => Promise.resolve(true), false);
    }
  }

  async release(accountId: string, leaseId: string): Promise<void> {
    if (this.localLeases.delete(leaseId)) return this.local.release(accountId, leaseId);
    try {
      const message = `${this.redis.replicaId} ${accountId}`;
      await this.redis.command.eval(RELEASE, 1, slotsKey(accountId), leaseId, RELEASED, message);
    } catch (error) {
      // The lease expires on its own within its TTL.
      this.logger.warn(`releasing a lease of account ${accountId} failed: ${messageOf(error)}`);
    }
    // This replica's waiters need not wait for the message to come back.
    this.notify(accountId);
  }

  onRelease(listener: (accountId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(accountId: string): void {
    for (const listener of this.listeners) listener(accountId);
  }

  /** A slot held by a replica that may have died frees itself at its expiry: wake this account's waiters then. */
  private wakeAtExpiry(accountId: string, inMs: number): void {
    if (this.expiryTimers.has(accountId)) return;
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(accountId);
        this.notify(accountId);
      },
      Math.max(1, inMs + 1),
    );
    timer.unref();
    this.expiryTimers.set(accountId, timer);
  }

  private async withoutRedis<T>(error: unknown, local: () => Promise<T>, acquiring: boolean): Promise<T> {
    if (this.failureMode === 'closed') throw new Error(`Redis is unreachable: ${messageOf(error)}`);
    if (!this.usingLocal) {
      this.usingLocal = true;
      this.logger.error(
        `Redis is unreachable (${messageOf(error)}): REDIS_FAILURE_MODE=local, so accounts are locked per replica until it is back; two replicas may use one account at once meanwhile`,
      );
    }
    const result = await local();
    if (acquiring && typeof result === 'string') this.localLeases.add(result);
    return result;
  }

  private backOnRedis(): void {
    if (!this.usingLocal) return;
    this.usingLocal = false;
    this.logger.log('Redis is back: accounts are locked across replicas again');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
