import { InMemoryAccountLockStore } from './in-memory-account-lock.store';

describe('InMemoryAccountLockStore', () => {
  afterEach(() => jest.useRealTimers());

  it('should hand out at most `limit` slots per account, independently per account', async () => {
    const store = new InMemoryAccountLockStore();
    const first = await store.tryAcquire('a', 2, 1_000);
    const second = await store.tryAcquire('a', 2, 1_000);
    expect(first).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    expect(await store.tryAcquire('a', 2, 1_000)).toBeNull();
    expect(await store.tryAcquire('b', 2, 1_000)).toEqual(expect.any(String));
  });

  it('should free a slot on release, tell the listeners once, and ignore unknown or repeated releases', async () => {
    const store = new InMemoryAccountLockStore();
    const released: string[] = [];
    store.onRelease((id) => released.push(id));
    const lease = (await store.tryAcquire('a', 1, 1_000))!;
    await store.release('a', lease);
    await store.release('a', lease);
    await store.release('a', 'not-a-lease');
    expect(released).toEqual(['a']);
    expect(await store.tryAcquire('a', 1, 1_000)).toEqual(expect.any(String));
  });

  it('should free a slot whose lease expired unrenewed, and keep a renewed one', async () => {
    jest.useFakeTimers({ now: 0 });
    const store = new InMemoryAccountLockStore();
    const renewed = (await store.tryAcquire('a', 1, 1_000))!;
    const abandoned = (await store.tryAcquire('b', 1, 1_000))!;
    jest.setSystemTime(800);
    expect(await store.renew('a', renewed, 1_000)).toBe(true);
    jest.setSystemTime(1_500);
    expect(await store.tryAcquire('a', 1, 1_000)).toBeNull();
    expect(await store.tryAcquire('b', 1, 1_000)).toEqual(expect.any(String));
    expect(await store.renew('b', abandoned, 1_000)).toBe(false);
  });
});
