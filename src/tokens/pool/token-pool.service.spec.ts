import { toApiError } from '../../common/errors/to-api-error';
import { PoolError } from './pool-errors';
import { Account, createAccount } from './account';
import type { AccountLease, LeaseRequest } from './token-pool.service';
import { CountingUpstream } from '../../../test/utils/counting-upstream';
import { createTestPool, rejection, TestPool } from '../../../test/utils/tokens/create-test-pool';
import { flush, stateOf } from '../../../test/utils/promise-state';
import type { TokensConfig } from '../../config/tokens.config';

const TOKENS = ['tok-alice', 'tok-bob', 'tok-carol'];
const [alice, bob, carol] = TOKENS.map(createAccount);
const ALL = [alice, bob, carol];

/** Deterministic pseudo-random numbers in [0, 1), so a failing storm can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('TokenPoolService leases', () => {
  let t: TestPool;

  async function startPool(config: Partial<TokensConfig> = {}): Promise<TestPool> {
    t = await createTestPool({ queueTimeoutMs: 10_000, ...config });
    for (const token of TOKENS) t.client.setToken(token, 'live');
    return t;
  }

  const lease = (request: LeaseRequest): Promise<AccountLease> => t.pool.lease(request);

  afterEach(async () => {
    await flush();
    // No test may leak a lease or leave a waiter behind.
    expect(t.pool.snapshot()).toMatchObject({ busy: 0, waiting: 0, leases: 0 });
    await t.close();
  });

  it.each([1, 2])(
    'should never run more than ACCOUNT_MAX_INFLIGHT=%i generations at once per account under 60 concurrent requests',
    async (limit) => {
      await startPool({ accountMaxInflight: limit });
      const upstream = new CountingUpstream();
      const random = seeded(limit);
      // Four kinds of clients, each sending its own copy of overlapping token lists.
      const sets = [TOKENS, ['tok-alice'], ['tok-bob', 'tok-carol'], ['tok-carol', 'tok-alice']];
      const used = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const accounts = sets[i % sets.length].map(createAccount);
          const held = await lease({ accounts });
          try {
            await upstream.generate(held.account.id, () => sleep(random() * 4));
          } finally {
            held.release();
          }
          return held.account.id;
        }),
      );
      expect(used).toHaveLength(60);
      expect(new Set(used)).toEqual(new Set(ALL.map((a) => a.id)));
      for (const account of ALL) expect(upstream.peak(account.id)).toBeLessThanOrEqual(limit);
      expect(upstream.maxPeak()).toBe(limit);
    },
  );

  it('should make two clients that send the same token share its lock', async () => {
    await startPool();
    const first = await lease({ accounts: [createAccount('tok-alice')] });
    const second = await lease({ accounts: [createAccount('tok-alice'), createAccount('tok-bob')] });
    expect(second.account.id).toBe(bob.id);
    const third = lease({ accounts: [createAccount('tok-alice')] });
    expect(await stateOf(third)).toBe('pending');
    first.release();
    expect((await third).account.id).toBe(alice.id);
    (await third).release();
    second.release();
  });

  it('should pick the least recently used idle account', async () => {
    await startPool();
    const picks: string[] = [];
    const pick = async (accounts: Account[]) => {
      const held = await lease({ accounts });
      picks.push(held.account.id);
      held.release();
    };
    for (let i = 0; i < 4; i++) await pick(ALL);
    await pick([carol]);
    await pick(ALL);
    expect(picks).toEqual([alice.id, bob.id, carol.id, alice.id, carol.id, bob.id]);
  });

  it('should serve waiters for an account in arrival order', async () => {
    await startPool();
    const holder = await lease({ accounts: [alice] });
    const served: number[] = [];
    const waiters = [0, 1, 2, 3, 4].map((n) =>
      lease({ accounts: [alice] }).then((held) => {
        served.push(n);
        held.release();
      }),
    );
    await flush();
    holder.release();
    await Promise.all(waiters);
    expect(served).toEqual([0, 1, 2, 3, 4]);
  });

  it('should give a freed account to the earliest waiter that wants it, not to a later one', async () => {
    await startPool();
    const holdAlice = await lease({ accounts: [alice] });
    const holdBob = await lease({ accounts: [bob] });
    const early = lease({ accounts: [alice, bob] });
    const late = lease({ accounts: [alice] });
    await flush();
    holdAlice.release();
    expect((await early).account.id).toBe(alice.id);
    expect(await stateOf(late)).toBe('pending');
    (await early).release();
    (await late).release();
    holdBob.release();
  });

  it('should not make a request wait behind one whose accounts differ', async () => {
    await startPool();
    const holder = await lease({ accounts: [alice] });
    const waiting = lease({ accounts: [alice] });
    const other = lease({ accounts: [bob] });
    expect(await stateOf(other)).toBe('fulfilled');
    expect(await stateOf(waiting)).toBe('pending');
    (await other).release();
    holder.release();
    (await waiting).release();
  });

  it('should answer 429 rate_limit_exceeded with retry-after when no account frees up within QUEUE_TIMEOUT_MS', async () => {
    await startPool({ queueTimeoutMs: 20 });
    const holder = await lease({ accounts: [alice] });
    const error = await rejection(lease({ accounts: [alice] }));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSec: expect.any(Number) });
    expect(error.getStatus()).toBe(429);
    expect(error.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(error.message).toMatch(/busy/);
    expect(t.pool.snapshot().waiting).toBe(0);
    holder.release();
  });

  it('should answer 429 at once when QUEUE_TIMEOUT_MS is 0 and every account is busy', async () => {
    await startPool({ queueTimeoutMs: 0 });
    const holder = await lease({ accounts: [alice] });
    expect(await rejection(lease({ accounts: [alice] }))).toMatchObject({ code: 'rate_limit_exceeded' });
    holder.release();
    (await lease({ accounts: [alice] })).release();
  });

  it('should answer 429 at once when the queue is full, and still serve those already queued', async () => {
    await startPool({ queueMaxLength: 2 });
    const holder = await lease({ accounts: [alice] });
    const queued = [lease({ accounts: [alice] }), lease({ accounts: [alice] })];
    await flush();
    const error = await rejection(lease({ accounts: [alice] }));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', message: expect.stringMatching(/waiting/) });
    expect(error.retryAfterSec).toBeGreaterThanOrEqual(1);
    holder.release();
    (await queued[0]).release();
    (await queued[1]).release();
  });

  it('should withdraw a waiter whose signal aborts and hand the account to the next one', async () => {
    await startPool();
    const holder = await lease({ accounts: [alice] });
    const client = new AbortController();
    const leaving = lease({ accounts: [alice], signal: client.signal });
    const staying = lease({ accounts: [alice] });
    await flush();
    expect(t.pool.snapshot().waiting).toBe(2);
    client.abort();
    await expect(leaving).rejects.toMatchObject({ name: 'AbortError' });
    expect(t.pool.snapshot().waiting).toBe(1);
    holder.release();
    const next = await staying;
    expect(next.account.id).toBe(alice.id);
    next.release();
  });

  it('should reject at once and take nothing when the signal has already aborted', async () => {
    await startPool();
    await expect(lease({ accounts: ALL, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(t.pool.snapshot()).toMatchObject({ busy: 0, leases: 0 });
  });

  it('should wait for the account that owns the conversation even when another one is idle', async () => {
    await startPool();
    const holder = await lease({ accounts: [alice] });
    const continuation = lease({ accounts: [alice, bob], affinity: alice.id });
    const fresh = lease({ accounts: [alice, bob] });
    expect(await stateOf(continuation)).toBe('pending');
    expect((await fresh).account.id).toBe(bob.id);
    holder.release();
    expect((await continuation).account.id).toBe(alice.id);
    (await continuation).release();
    (await fresh).release();
  });

  it('should refuse a continuation whose owning account is not among the request tokens', async () => {
    await startPool();
    const error = await rejection(lease({ accounts: [bob], affinity: alice.id }));
    expect(error).toMatchObject({ code: 'conversation_account_unavailable' });
    expect(error.getStatus()).toBe(400);
  });

  it('should skip excluded accounts, and say so when nothing is left', async () => {
    await startPool();
    const held = await lease({ accounts: [alice, bob], exclude: new Set([alice.id]) });
    expect(held.account.id).toBe(bob.id);
    held.release();
    const error = await rejection(lease({ accounts: [alice, bob], exclude: new Set([alice.id, bob.id]) }));
    expect(error).toMatchObject({ code: 'accounts_exhausted' });
    expect(error.getStatus()).toBe(503);
  });

  it('should treat a second release as a no-op, not as freeing someone else’s slot', async () => {
    await startPool({ queueTimeoutMs: 20 });
    const first = await lease({ accounts: [alice] });
    first.release();
    const second = await lease({ accounts: [alice] });
    first.release();
    expect(t.pool.snapshot()).toMatchObject({ busy: 1, leases: 1 });
    expect(await rejection(lease({ accounts: [alice] }))).toMatchObject({ code: 'rate_limit_exceeded' });
    second.release();
  });

  it('should leave every account idle after a storm of leases, aborts and timeouts', async () => {
    await startPool({ queueTimeoutMs: 15 });
    const upstream = new CountingUpstream();
    const random = seeded(7);
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, async () => {
        const client = new AbortController();
        if (random() < 0.3) setTimeout(() => client.abort(), random() * 20);
        try {
          const held = await lease({ accounts: ALL, signal: client.signal });
          try {
            await upstream.generate(held.account.id, () => sleep(random() * 3));
          } finally {
            held.release();
          }
          return 'served';
        } catch (error) {
          if (error instanceof PoolError) return toApiError(error).code;
          return (error as Error).name;
        }
      }),
    );
    expect(outcomes).toContain('served');
    for (const outcome of outcomes) expect(['served', 'rate_limit_exceeded', 'AbortError']).toContain(outcome);
    expect(upstream.maxPeak()).toBe(1);
    expect(upstream.totalInFlight()).toBe(0);
  });
});
