import { ApiError } from '../common/errors/api-error';
import { accountIdOf } from '../tokens/pool/account';
import { ApiKeyPool, type ApiKeyLease } from './api-key-pool';

const A = 'sk-key-a-secret';
const B = 'sk-key-b-secret';
const idA = accountIdOf(A);
const idB = accountIdOf(B);
const WAIT = 10_000;

const live = () => new AbortController().signal;

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof ApiError)) throw error;
  return error;
}

/** Whether `promise` has settled, after the pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await jest.advanceTimersByTimeAsync(0);
  return done;
}

describe('ApiKeyPool', () => {
  let pool: ApiKeyPool;

  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => {
    pool?.close();
    jest.useRealTimers();
  });

  describe('leasing', () => {
    it('should lease the least-loaded ready key, relative to its concurrency', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 2 },
        { key: B, concurrency: 4 },
      ]);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await pool.lease(live(), WAIT)).id);
      // Loads: A 0/2 B 0/4 → A; A 1/2 B 0/4 → B; A 1/2 B 1/4 → B; A 1/2 B 2/4 → A (the first of equals); → B.
      expect(ids).toEqual([idA, idB, idB, idA, idB]);
    });

    it('should lease a key again once its slot is released', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      const first = await pool.lease(live(), WAIT);
      expect((await pool.lease(live(), WAIT)).id).toBe(idB);
      first.release();
      expect((await pool.lease(live(), WAIT)).id).toBe(idA);
    });

    it('should hand out the key itself and its id', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const lease = await pool.lease(live(), WAIT);
      expect([lease.id, lease.key]).toEqual([idA, A]);
    });

    it('should skip excluded keys', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 2 },
        { key: B, concurrency: 2 },
      ]);
      expect((await pool.lease(live(), WAIT, new Set([idA]))).id).toBe(idB);
      expect((await pool.lease(live(), WAIT, new Set([idB]))).id).toBe(idA);
    });

    it('should not lease a key at its concurrency: the request waits until a slot is released', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 2 }]);
      const first = await pool.lease(live(), WAIT);
      await pool.lease(live(), WAIT);
      const third = pool.lease(live(), WAIT);
      expect(await settled(third)).toBe(false);
      expect(pool.waiting).toBe(1);

      first.release();
      expect((await third).id).toBe(idA);
      expect(pool.waiting).toBe(0);
      expect(pool.views()[0].inflight).toBe(2);
    });

    it('should serve waiters first come first served', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const held = await pool.lease(live(), WAIT);
      const order: string[] = [];
      const first = pool.lease(live(), WAIT).then((lease) => (order.push('first'), lease));
      const second = pool.lease(live(), WAIT).then((lease) => (order.push('second'), lease));
      await jest.advanceTimersByTimeAsync(0);

      held.release();
      (await first).release();
      await second;
      expect(order).toEqual(['first', 'second']);
    });

    it('should not let a new request overtake a waiter', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const held = await pool.lease(live(), WAIT);
      const waiter = pool.lease(live(), WAIT);
      await jest.advanceTimersByTimeAsync(0);
      held.release();
      const latecomer = pool.lease(live(), WAIT);
      expect(await settled(waiter)).toBe(true);
      expect(await settled(latecomer)).toBe(false);
      (await waiter).release();
      expect((await latecomer).id).toBe(idA);
    });

    it('should count the requests each key started', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 2 }]);
      (await pool.lease(live(), WAIT)).release();
      await pool.lease(live(), WAIT);
      expect(pool.views()[0]).toMatchObject({ requests: 2, inflight: 1 });
    });
  });

  describe('release', () => {
    it('should give the slot back once however often it is called', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 2 }]);
      const first = await pool.lease(live(), WAIT);
      await pool.lease(live(), WAIT);
      first.release();
      first.release();
      expect(pool.views()[0].inflight).toBe(1);
      await pool.lease(live(), WAIT);
      expect(await settled(pool.lease(live(), WAIT))).toBe(false);
    });
  });

  describe('keys the API refused', () => {
    it('should take an invalid key out of rotation until enable()', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.markInvalid(idA);
      const lease = await pool.lease(live(), WAIT);
      expect(lease.id).toBe(idB);
      lease.release();
      expect((await pool.lease(live(), WAIT)).id).toBe(idB);

      expect(pool.enable(idA)).toBe(true);
      expect((await pool.lease(live(), WAIT)).id).toBe(idA);
    });

    it('should take a key without balance out of rotation until enable()', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.markNoBalance(idB);
      const first = await pool.lease(live(), WAIT);
      expect(first.id).toBe(idA);
      const waiter = pool.lease(live(), WAIT);
      expect(await settled(waiter)).toBe(false);
      pool.enable(idB);
      expect((await waiter).id).toBe(idB);
    });

    it('should refuse at once with a 503 naming how many keys were refused when none is left', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
        { key: 'sk-key-c', concurrency: 1 },
      ]);
      pool.markInvalid(idA);
      pool.markInvalid(accountIdOf('sk-key-c'));
      pool.markNoBalance(idB);
      const error = await apiErrorOf(pool.lease(live(), WAIT));
      expect([error.getStatus(), error.code]).toEqual([503, 'api_keys_unavailable']);
      expect(error.message).toContain('2 rejected by the API (401)');
      expect(error.message).toContain('1 out of balance (402)');
      expect(pool.waiting).toBe(0);
    });

    it('should say only the reason that applies', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      pool.markNoBalance(idA);
      const error = await apiErrorOf(pool.lease(live(), WAIT));
      expect(error.message).toContain('1 out of balance (402)');
      expect(error.message).not.toContain('401');
    });

    it('should refuse with a 503 when every key not refused is excluded', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.markInvalid(idA);
      const error = await apiErrorOf(pool.lease(live(), WAIT, new Set([idB])));
      expect([error.getStatus(), error.code]).toEqual([503, 'api_keys_unavailable']);
      expect(error.message).toContain('1 rejected by the API (401)');
    });

    it('should tell the waiters at once when the last usable key goes out', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const held = await pool.lease(live(), WAIT);
      const first = apiErrorOf(pool.lease(live(), WAIT));
      const second = apiErrorOf(pool.lease(live(), WAIT));
      await jest.advanceTimersByTimeAsync(0);
      expect(pool.waiting).toBe(2);

      pool.markInvalid(held.id);
      for (const error of [await first, await second]) {
        expect([error.getStatus(), error.code]).toEqual([503, 'api_keys_unavailable']);
        expect(error.message).toContain('1 rejected by the API (401)');
      }
      expect(pool.waiting).toBe(0);
    });

    it('should keep the waiters waiting while another key can still serve', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      const a = await pool.lease(live(), WAIT);
      const b = await pool.lease(live(), WAIT);
      const waiter = pool.lease(live(), WAIT);
      pool.markNoBalance(a.id);
      expect(await settled(waiter)).toBe(false);
      b.release();
      expect((await waiter).id).toBe(idB);
    });

    it('should not know ids it does not hold', () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      expect(pool.enable('000000000000')).toBe(false);
      pool.markInvalid('000000000000');
      expect(pool.counts()).toEqual({ ready: 1, cooling: 0, invalid: 0, no_balance: 0 });
    });
  });

  describe('cooldowns', () => {
    it('should not lease a cooling key until its cooldown ends', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.coolDown(idA, 5_000);
      const lease = await pool.lease(live(), WAIT);
      expect(lease.id).toBe(idB);
      lease.release();
      expect((await pool.lease(live(), WAIT)).id).toBe(idB);
      jest.advanceTimersByTime(5_000);
      expect((await pool.lease(live(), WAIT)).id).toBe(idA);
    });

    it('should give a waiter the key once its cooldown ends', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      pool.coolDown(idA, 3_000);
      const waiter = pool.lease(live(), WAIT);
      await jest.advanceTimersByTimeAsync(2_900);
      expect(await settled(waiter)).toBe(false);
      await jest.advanceTimersByTimeAsync(200);
      expect((await waiter).id).toBe(idA);
    });

    it('should wake a waiter when a key cools down while it waits for a full one', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const held = await pool.lease(live(), WAIT);
      const waiter = pool.lease(live(), WAIT);
      await jest.advanceTimersByTimeAsync(0);
      pool.coolDown(held.id, 1_000);
      held.release();
      expect(await settled(waiter)).toBe(false);
      await jest.advanceTimersByTimeAsync(1_100);
      expect((await waiter).id).toBe(idA);
    });

    it('should not count a cooling key as refused: the request waits instead of a 503', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.markInvalid(idA);
      pool.coolDown(idB, 1_000);
      const waiter = pool.lease(live(), WAIT);
      expect(await settled(waiter)).toBe(false);
      await jest.advanceTimersByTimeAsync(1_100);
      expect((await waiter).id).toBe(idB);
    });

    it('should show the cooldown end while it lasts, and ready after', () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      pool.coolDown(idA, 2_000);
      expect(pool.views()[0]).toMatchObject({
        state: 'cooling',
        until: Date.now() + 2_000,
        lastError: { kind: 'rate_limited', at: Date.now() },
      });
      expect(pool.counts()).toEqual({ ready: 0, cooling: 1, invalid: 0, no_balance: 0 });
      jest.advanceTimersByTime(2_000);
      expect(pool.views()[0]).toMatchObject({ state: 'ready', until: null });
      expect(pool.counts()).toEqual({ ready: 1, cooling: 0, invalid: 0, no_balance: 0 });
    });
  });

  describe('what the waiters cannot use', () => {
    it('should move the cooldown wake earlier when a shorter cooldown begins', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      pool.coolDown(idA, 5_000);
      const onB = await pool.lease(live(), WAIT);
      const waiting = pool.lease(live(), WAIT);
      pool.coolDown(idB, 100);
      onB.release();

      await jest.advanceTimersByTimeAsync(150);

      expect(await settled(waiting)).toBe(true);
      expect((await waiting).id).toBe(idB);
    });

    it('should lease a free key to a new request that a waiter has excluded', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      const notA = new Set([idA]);
      await pool.lease(live(), WAIT, notA);
      const waiter = pool.lease(live(), WAIT, notA);

      const newcomer = pool.lease(live(), WAIT);

      expect(await settled(newcomer)).toBe(true);
      expect((await newcomer).id).toBe(idA);
      expect(await settled(waiter)).toBe(false);
    });
  });

  describe('waiting', () => {
    it('should reject with a 429 api_keys_busy after waitMs', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      await pool.lease(live(), WAIT);
      const rejected = apiErrorOf(pool.lease(live(), 2_000));
      await jest.advanceTimersByTimeAsync(1_999);
      expect(pool.waiting).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      const error = await rejected;
      expect([error.getStatus(), error.code]).toEqual([429, 'api_keys_busy']);
      expect(error.retryAfterSec).toBeGreaterThanOrEqual(1);
      expect(pool.waiting).toBe(0);
    });

    it('should retry after the first cooldown end when a key is cooling', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
      ]);
      await pool.lease(live(), WAIT);
      pool.coolDown(idB, 60_000);
      const rejected = apiErrorOf(pool.lease(live(), 1_000));
      await jest.advanceTimersByTimeAsync(1_000);
      expect((await rejected).retryAfterSec).toBe(59);
    });

    it('should reject with the reason of an aborted signal and drop the waiter', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const held = await pool.lease(live(), WAIT);
      const controller = new AbortController();
      const waiter = pool.lease(controller.signal, WAIT);
      expect(pool.waiting).toBe(1);
      const reason = new Error('client gone');
      controller.abort(reason);
      await expect(waiter).rejects.toBe(reason);
      expect(pool.waiting).toBe(0);

      held.release();
      expect(pool.views()[0].inflight).toBe(0);
    });

    it('should reject an already aborted signal without leasing', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      const controller = new AbortController();
      const reason = new Error('shutdown');
      controller.abort(reason);
      await expect(pool.lease(controller.signal, WAIT)).rejects.toBe(reason);
      expect(pool.views()[0]).toMatchObject({ inflight: 0, requests: 0 });
    });
  });

  describe('views and counts', () => {
    it('should show each key by its id and never the key itself', async () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 2 },
        { key: B, concurrency: 1 },
      ]);
      await pool.lease(live(), WAIT);
      pool.markNoBalance(idB);
      pool.recordError(idA, 'server_error');
      const views = pool.views();
      expect(views).toEqual([
        {
          id: idA,
          state: 'ready',
          until: null,
          inflight: 1,
          concurrency: 2,
          requests: 1,
          lastError: { kind: 'server_error', at: Date.now() },
        },
        {
          id: idB,
          state: 'no_balance',
          until: null,
          inflight: 0,
          concurrency: 1,
          requests: 0,
          lastError: { kind: 'insufficient_balance', at: Date.now() },
        },
      ]);
      const text = JSON.stringify(views);
      expect(text).not.toContain(A);
      expect(text).not.toContain(B);
    });

    it('should count the keys by state', () => {
      pool = new ApiKeyPool([
        { key: A, concurrency: 1 },
        { key: B, concurrency: 1 },
        { key: 'sk-c', concurrency: 1 },
        { key: 'sk-d', concurrency: 1 },
      ]);
      pool.markInvalid(idA);
      pool.markNoBalance(idB);
      pool.coolDown(accountIdOf('sk-c'), 1_000);
      expect(pool.counts()).toEqual({ ready: 1, cooling: 1, invalid: 1, no_balance: 1 });
      expect(pool.size).toBe(4);
    });

    it('should keep a key in rotation after recordError', async () => {
      pool = new ApiKeyPool([{ key: A, concurrency: 1 }]);
      pool.recordError(idA, 'network');
      const lease: ApiKeyLease = await pool.lease(live(), WAIT);
      expect(lease.id).toBe(idA);
      expect(pool.views()[0]).toMatchObject({ state: 'ready', lastError: { kind: 'network' } });
    });
  });
});
