import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { RedisConnections } from '../../src/common/redis/redis-connections';
import type { AccountLockStore } from '../../src/tokens/pool/account-lock.store';
import { InMemoryAccountLockStore } from '../../src/tokens/pool/in-memory-account-lock.store';
import { RedisAccountLockStore } from '../../src/tokens/pool/redis-account-lock.store';
import { summarize, type Summary } from '../common/stats';

export interface LeaseParams {
  /** Measured operations per store and kind, after `warmup` of each. */
  iterations: number;
  warmup: number;
  /** The stores take turns in blocks of this many, so machine noise hits both alike. */
  block: number;
  /** Account ids cycled through (the gateway's accounts). */
  accounts: number;
  ttlMs: number;
}

export type LeaseKind = 'acquire+release' | 'acquire+renew+release';
export const LEASE_KINDS: readonly LeaseKind[] = ['acquire+release', 'acquire+renew+release'];
export const STORE_LABELS = ['in-memory', 'Redis'] as const;
export type StoreLabel = (typeof STORE_LABELS)[number];

export interface LeaseResult {
  /** µs per operation, per kind and store. */
  summaries: Record<LeaseKind, Record<StoreLabel, Summary>>;
  /** ioredis PING on the command connection: the floor of any Redis round trip here, µs. */
  ping: Summary;
}

type Op = (store: AccountLockStore, accountId: string, ttlMs: number) => Promise<void>;

const OPS: Record<LeaseKind, Op> = {
  'acquire+release': async (store, accountId, ttlMs) => {
    const lease = await store.tryAcquire(accountId, 1, ttlMs);
    if (lease === null) throw new Error(`lease bench: ${accountId} was not free`);
    await store.release(accountId, lease);
  },
  'acquire+renew+release': async (store, accountId, ttlMs) => {
    const lease = await store.tryAcquire(accountId, 1, ttlMs);
    if (lease === null) throw new Error(`lease bench: ${accountId} was not free`);
    if (!(await store.renew(accountId, lease, ttlMs))) throw new Error('lease bench: renew failed');
    await store.release(accountId, lease);
  },
};

/**
 * In-process, uncontended: one lease at a time on each store (`tryAcquire` then `release`, optionally a
 * `renew` between), against a local redis-server at `redisUrl`. Each operation is timed on its own.
 */
export async function measureLeaseRoundTrip(redisUrl: string, params: LeaseParams): Promise<LeaseResult> {
  // The stores log through Nest's Logger ("connected"); only trouble belongs in the bench's output.
  Logger.overrideLogger(['error', 'warn']);
  const connections = new RedisConnections(redisUrl);
  try {
    if (!(await connections.whenReady(5_000))) throw new Error(`lease bench: Redis at ${redisUrl} is not reachable`);
    const stores: Record<StoreLabel, AccountLockStore> = {
      'in-memory': new InMemoryAccountLockStore(),
      Redis: new RedisAccountLockStore(connections, 'closed'),
    };
    // A listener as the token pool has one: release() calls it.
    for (const store of Object.values(stores)) store.onRelease(() => undefined);
    const accountIds = Array.from({ length: params.accounts }, (_, i) => `bench-lease-${i}`);
    const samples = new Map<string, number[]>();
    const run = async (kind: LeaseKind, label: StoreLabel, count: number, keep: boolean): Promise<void> => {
      const sink = samples.get(`${kind}|${label}`) ?? [];
      samples.set(`${kind}|${label}`, sink);
      const op = OPS[kind];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await op(stores[label], accountIds[i % accountIds.length], params.ttlMs);
        if (keep) sink.push((performance.now() - started) * 1000);
      }
    };
    for (const kind of LEASE_KINDS) for (const label of STORE_LABELS) await run(kind, label, params.warmup, false);

    const ping: number[] = [];
    for (let done = 0, round = 0; done < params.iterations; done += params.block, round++) {
      const count = Math.min(params.block, params.iterations - done);
      // Alternate which store goes first, so neither always follows the other.
      const order = round % 2 === 0 ? STORE_LABELS : [...STORE_LABELS].reverse();
      for (const kind of LEASE_KINDS) for (const label of order) await run(kind, label, count, true);
      for (let i = 0; i < Math.min(count, 200); i++) {
        const started = performance.now();
        await connections.command.ping();
        ping.push((performance.now() - started) * 1000);
      }
    }
    const summaries = {} as Record<LeaseKind, Record<StoreLabel, Summary>>;
    for (const kind of LEASE_KINDS) {
      summaries[kind] = {} as Record<StoreLabel, Summary>;
      for (const label of STORE_LABELS) summaries[kind][label] = summarize(samples.get(`${kind}|${label}`) ?? []);
    }
    return { summaries, ping: summarize(ping) };
  } finally {
    await connections.close();
  }
}
