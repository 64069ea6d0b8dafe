import type { TokensConfig } from '../../config/tokens.config';
import { UpstreamError } from '../../deepseek/upstream-error';
import { createAccount } from './account';
import type { LeaseRequest } from './token-pool.service';
import { createTestPool, rejection, TestPool } from '../../../test/utils/tokens/create-test-pool';
import { flush, stateOf } from '../../../test/utils/promise-state';

const alice = createAccount('tok-alice');
const bob = createAccount('tok-bob');
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);

const upstream = (kind: UpstreamError['kind'], muteUntilMs?: number) =>
  new UpstreamError(kind, `fake ${kind}`, muteUntilMs === undefined ? {} : { muteUntilMs });

describe('TokenPoolService account health', () => {
  let t: TestPool;

  async function startPool(config: Partial<TokensConfig> = {}): Promise<TestPool> {
    t = await createTestPool({ queueTimeoutMs: 10 * MINUTE, ...config });
    jest.useFakeTimers({ now: START, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    return t;
  }

  /** Leases and releases at once; resolves the account id. */
  const use = async (request: LeaseRequest) => {
    const held = await t.pool.lease(request);
    held.release();
    return held.account.id;
  };

  afterEach(async () => {
    jest.useRealTimers();
    await flush();
    expect(t.pool.snapshot()).toMatchObject({ busy: 0, waiting: 0, leases: 0 });
    await t.close();
  });

  describe('token validation', () => {
    it('should check an unseen token once, then lease it without checking again', async () => {
      await startPool();
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      await use({ accounts: [alice] });
      expect(t.client.checksOf('tok-alice')).toBe(1);
    });

    it('should share one check between concurrent leases of the same token', async () => {
      await startPool({ accountMaxInflight: 2 });
      t.client.setToken('tok-alice', 'live');
      const open = t.client.holdChecks();
      const leases = [t.pool.lease({ accounts: [alice] }), t.pool.lease({ accounts: [alice] })];
      await flush();
      open();
      for (const held of await Promise.all(leases)) held.release();
      expect(t.client.checksOf('tok-alice')).toBe(1);
    });

    it('should check the token again once its last check is an hour old', async () => {
      await startPool({ validationTtlMs: 60 * MINUTE });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      await jest.advanceTimersByTimeAsync(59 * MINUTE);
      await use({ accounts: [alice] });
      expect(t.client.checksOf('tok-alice')).toBe(1);
      await jest.advanceTimersByTimeAsync(2 * MINUTE);
      await use({ accounts: [alice] });
      expect(t.client.checksOf('tok-alice')).toBe(2);
    });

    it('should count a successful generation as a check', async () => {
      await startPool({ validationTtlMs: 60 * MINUTE });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      await jest.advanceTimersByTimeAsync(50 * MINUTE);
      t.pool.reportSuccess(alice.id);
      await jest.advanceTimersByTimeAsync(50 * MINUTE);
      await use({ accounts: [alice] });
      expect(t.client.checksOf('tok-alice')).toBe(1);
    });
  });

  describe('dead tokens', () => {
    it('should skip a dead token for the next account of the request', async () => {
      await startPool();
      t.client.setToken('tok-bob', 'live');
      expect(await use({ accounts: [alice, bob] })).toBe(bob.id);
      expect(t.pool.snapshot()).toMatchObject({ invalid: 1, idle: 1 });
    });

    it('should answer 401 invalid_api_key when every token is dead, naming none', async () => {
      await startPool();
      const error = await rejection(t.pool.lease({ accounts: [alice, bob] }));
      expect(error.getStatus()).toBe(401);
      expect(error.code).toBe('invalid_api_key');
      expect(error.message).toBe('Every DeepSeek token of this request was rejected by DeepSeek.');
    });

    it('should check an invalid account again only after INVALID_RECHECK, and use it if it came back', async () => {
      await startPool({ invalidRecheckMs: 10 * MINUTE });
      await rejection(t.pool.lease({ accounts: [alice] }));
      t.client.setToken('tok-alice', 'live');
      await jest.advanceTimersByTimeAsync(9 * MINUTE);
      expect((await rejection(t.pool.lease({ accounts: [alice] }))).getStatus()).toBe(401);
      expect(t.client.checksOf('tok-alice')).toBe(1);
      await jest.advanceTimersByTimeAsync(2 * MINUTE);
      expect(await use({ accounts: [alice] })).toBe(alice.id);
      expect(t.client.checksOf('tok-alice')).toBe(2);
    });

    it('should drop a vouched-for token on an auth error from a generation, and check it before its next use', async () => {
      await startPool({ invalidRecheckMs: 10 * MINUTE });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('auth'));
      expect(t.pool.snapshot()).toMatchObject({ invalid: 1 });
      expect((await rejection(t.pool.lease({ accounts: [alice] }))).getStatus()).toBe(401);
      await jest.advanceTimersByTimeAsync(10 * MINUTE);
      await use({ accounts: [alice] });
      expect(t.client.checksOf('tok-alice')).toBe(2);
    });

    it('should reject a waiter as soon as its only account turns out dead', async () => {
      await startPool();
      t.client.setToken('tok-alice', 'live');
      const holder = await t.pool.lease({ accounts: [alice] });
      const waiting = t.pool.lease({ accounts: [alice] });
      expect(await stateOf(waiting)).toBe('pending');
      t.pool.reportFailure(alice.id, upstream('auth'));
      expect((await rejection(waiting)).getStatus()).toBe(401);
      holder.release();
    });
  });

  describe('muted accounts', () => {
    it('should skip an account users/current reports muted, and answer 403 account_muted with retry-after when it is the only one', async () => {
      await startPool();
      const until = START + 90 * MINUTE;
      t.client.setToken('tok-alice', { mutedUntilMs: until }).setToken('tok-bob', 'live');
      expect(await use({ accounts: [alice, bob] })).toBe(bob.id);
      const error = await rejection(t.pool.lease({ accounts: [alice] }));
      expect(error.getStatus()).toBe(403);
      expect(error.code).toBe('account_muted');
      expect(error.message).toContain(new Date(until).toISOString());
      expect(error.retryAfterSec).toBe(90 * 60);
      expect(t.pool.snapshot()).toMatchObject({ muted: 1, idle: 1 });
    });

    it('should bring a muted account back (after a fresh check) once mute_until has passed', async () => {
      await startPool();
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('muted', START + 30 * MINUTE));
      expect((await rejection(t.pool.lease({ accounts: [alice] }))).code).toBe('account_muted');
      await jest.advanceTimersByTimeAsync(30 * MINUTE);
      expect(await use({ accounts: [alice] })).toBe(alice.id);
      expect(t.client.checksOf('tok-alice')).toBe(2);
    });

    it('should trust users/current when it says a mute was lifted early', async () => {
      await startPool();
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('muted', START + 30 * MINUTE));
      await expect(t.validator.check(alice)).resolves.toEqual({ live: true, mutedUntilMs: null });
      expect(await use({ accounts: [alice] })).toBe(alice.id);
    });

    it('should mute for DEFAULT_MUTE when DeepSeek gives no end', async () => {
      await startPool({ defaultMuteMs: 60 * MINUTE });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('muted'));
      expect((await rejection(t.pool.lease({ accounts: [alice] }))).retryAfterSec).toBe(60 * 60);
    });

    it('should answer 403 with the first unmute when the accounts are muted or dead', async () => {
      await startPool();
      t.client.setToken('tok-alice', { mutedUntilMs: START + 5 * MINUTE });
      const error = await rejection(t.pool.lease({ accounts: [alice, bob] }));
      expect(error.getStatus()).toBe(403);
      expect(error.message).toMatch(/1 muted .*1 rejected/);
      expect(error.retryAfterSec).toBe(5 * 60);
    });
  });

  describe('busy and throttled accounts', () => {
    it('should cool a busy account down and give it to a waiter when the cooldown ends', async () => {
      await startPool({ busyCooldownMs: 2_000 });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('busy'));
      expect(t.pool.snapshot()).toMatchObject({ cooling: 1 });
      const waiting = t.pool.lease({ accounts: [alice] });
      await jest.advanceTimersByTimeAsync(1_900);
      expect(await stateOf(waiting)).toBe('pending');
      await jest.advanceTimersByTimeAsync(200);
      (await waiting).release();
    });

    it('should double the cooldown per consecutive refusal and reset it after a success', async () => {
      await startPool({ busyCooldownMs: 2_000 });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('busy'));
      t.pool.reportFailure(alice.id, upstream('busy'));
      const waiting = t.pool.lease({ accounts: [alice] });
      await jest.advanceTimersByTimeAsync(2_100);
      expect(await stateOf(waiting)).toBe('pending');
      await jest.advanceTimersByTimeAsync(2_000);
      (await waiting).release();

      t.pool.reportSuccess(alice.id);
      t.pool.reportFailure(alice.id, upstream('busy'));
      const afterSuccess = t.pool.lease({ accounts: [alice] });
      await jest.advanceTimersByTimeAsync(2_100);
      expect(await stateOf(afterSuccess)).toBe('fulfilled');
      (await afterSuccess).release();
    });

    it('should prefer another account while one cools down after "too frequent"', async () => {
      await startPool();
      t.client.setToken('tok-alice', 'live').setToken('tok-bob', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('throttled'));
      expect(await use({ accounts: [alice, bob] })).toBe(bob.id);
    });

    it('should answer 429 with retry-after at the cooldown end when the wait runs out first', async () => {
      await startPool({ throttleCooldownMs: 5_000, queueTimeoutMs: 1_000 });
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream('throttled'));
      const waiting = rejection(t.pool.lease({ accounts: [alice] }));
      await jest.advanceTimersByTimeAsync(1_000);
      const error = await waiting;
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.retryAfterSec).toBe(4);
    });

    it('should cool an account down when its token check is throttled, and take the next one', async () => {
      await startPool();
      t.client.setToken('tok-alice', upstream('throttled')).setToken('tok-bob', 'live');
      expect(await use({ accounts: [alice, bob] })).toBe(bob.id);
      expect(t.pool.snapshot()).toMatchObject({ cooling: 1, idle: 1 });
    });
  });

  it.each(['network', 'blocked', 'timeout', 'bad_response', 'content_filter'] as const)(
    'should leave the account healthy after a %s failure, which says nothing about it',
    async (kind) => {
      await startPool();
      t.client.setToken('tok-alice', 'live');
      await use({ accounts: [alice] });
      t.pool.reportFailure(alice.id, upstream(kind));
      expect(t.pool.snapshot()).toMatchObject({ idle: 1, cooling: 0, invalid: 0, muted: 0 });
    },
  );

  it('should free the account when the client leaves during its token check', async () => {
    await startPool();
    t.client.setToken('tok-alice', 'live');
    const open = t.client.holdChecks();
    const client = new AbortController();
    const leaving = t.pool.lease({ accounts: [alice], signal: client.signal });
    await flush();
    client.abort();
    await expect(leaving).rejects.toMatchObject({ name: 'AbortError' });
    open();
    const next = t.pool.lease({ accounts: [alice] });
    expect(await stateOf(next)).toBe('fulfilled');
    (await next).release();
    expect(t.client.checksOf('tok-alice')).toBe(1);
  });

  it('should pass on a token-check failure that is not the account’s, and free the account', async () => {
    await startPool();
    t.client.setToken('tok-alice', upstream('network'));
    await expect(t.pool.lease({ accounts: [alice] })).rejects.toMatchObject({ kind: 'network' });
    expect(t.pool.snapshot()).toMatchObject({ idle: 1, leases: 0 });
    t.client.setToken('tok-alice', 'live');
    expect(await use({ accounts: [alice] })).toBe(alice.id);
  });

  it('should never put a token in an error message', async () => {
    await startPool();
    t.client.setToken('tok-bob', { mutedUntilMs: START + MINUTE });
    const messages = [
      (await rejection(t.pool.lease({ accounts: [alice] }))).message,
      (await rejection(t.pool.lease({ accounts: [bob] }))).message,
      (await rejection(t.pool.lease({ accounts: [alice, bob] }))).message,
    ];
    for (const message of messages) expect(message).not.toMatch(/tok-/);
  });
});
