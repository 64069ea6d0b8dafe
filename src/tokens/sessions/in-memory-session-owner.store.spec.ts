import { InMemorySessionOwnerStore } from './in-memory-session-owner.store';
import { testTokensConfig } from '../../../test/utils/tokens/test-tokens-config';

const owner = (accountId: string, caller: string | null = null) => ({ accountId, caller });

describe('InMemorySessionOwnerStore', () => {
  afterEach(() => jest.useRealTimers());

  it('should remember, refresh and forget which account owns a session', async () => {
    const owners = new InMemorySessionOwnerStore(testTokensConfig());
    await owners.remember('session-1', owner('acc-a'));
    expect(await owners.ownerOf('session-1')).toEqual(owner('acc-a'));
    await owners.remember('session-1', owner('acc-b'));
    expect(await owners.ownerOf('session-1')).toEqual(owner('acc-b'));
    await owners.remember('session-1', owner('acc-b', 'key-hash'));
    expect(await owners.ownerOf('session-1')).toEqual(owner('acc-b', 'key-hash'));
    await owners.forget('session-1');
    expect(await owners.ownerOf('session-1')).toBeUndefined();
  });

  it('should forget a session after its lifetime, counted from the last remember', async () => {
    jest.useFakeTimers({ now: 0 });
    const owners = new InMemorySessionOwnerStore(testTokensConfig({ sessionTtlMs: 1_000 }));
    await owners.remember('session-1', owner('acc-a'));
    jest.setSystemTime(900);
    await owners.remember('session-1', owner('acc-a'));
    jest.setSystemTime(1_800);
    expect(await owners.ownerOf('session-1')).toEqual(owner('acc-a'));
    jest.setSystemTime(1_900);
    expect(await owners.ownerOf('session-1')).toBeUndefined();
  });

  it('should drop the least recently used session beyond its capacity', async () => {
    const owners = new InMemorySessionOwnerStore(testTokensConfig({ sessionMaxEntries: 2 }));
    await owners.remember('old', owner('acc-a'));
    await owners.remember('used', owner('acc-a'));
    await owners.ownerOf('old');
    await owners.remember('new', owner('acc-a'));
    expect(await owners.ownerOf('used')).toBeUndefined();
    expect(await owners.ownerOf('old')).toEqual(owner('acc-a'));
    expect(await owners.ownerOf('new')).toEqual(owner('acc-a'));
  });
});
