import { Logger } from '@nestjs/common';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import type { RedisConnections } from '../common/redis/redis-connections';

/**
 * A sliding window per client and throttler: the hits of the last `ttl` ms in a sorted set, in Redis
 * time. A request over the limit is refused and not counted; it may try again when the oldest hit
 * leaves the window. (Our throttlers never block for longer: `blockDuration` is 0.)
 */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const HIT = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {count + 1, 1, tonumber(oldest[2]) + ttl - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
return {count + 1, 0, 0}
`;

/**
 * The rate limits' storage shared by every replica (`REDIS_URL`), so a client's limit holds once across
 * them. While Redis is unreachable the limits are counted per replica (logged), rather than refusing
 * every request for a counter.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(private readonly redis: RedisConnections) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    let reply: [number, number, number];
    try {
      reply = (await this.redis.command.eval(
        HIT,
        1,
        `dsgw:rate:${throttlerName}:${key}`,
        ttl,
        limit,
        randomUUID(),
      )) as [number, number, number];
    } catch {
      if (!this.degraded) {
        this.logger.error('Redis is unreachable: rate limits are counted per replica until it is back');
      }
      this.degraded = true;
      return this.local.increment(key, ttl, limit, 0, throttlerName);
    }
    this.degraded = false;
    const [totalHits, blocked, msToFree] = reply;
    return {
      totalHits,
      timeToExpire: Math.ceil(ttl / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, Math.ceil(msToFree / 1000)) : 0,
    };
  }
}
