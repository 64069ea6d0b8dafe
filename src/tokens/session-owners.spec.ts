import { InMemorySessionOwners } from './in-memory-session-owners';
import { testTokensConfig } from '../../test/utils/tokens/test-tokens-config';

describe('InMemorySessionOwners', () => {
  afterEach(() => jest.useRealTimers());

  it('should remember, refresh and forget which account owns a session', async () => {
    const owners = new InMemorySessionOwners(testTokensConfig());
    await owners.remember('session-1', 'acc-a');
    expect(await owners.ownerOf('session-1')).toBe('acc-a');
    await owners.remember('session-1', 'acc-b');
    expect(await owners.ownerOf('session-1')).toBe('acc-b');
    await owners.forget('session-1');
    expect(await owners.ownerOf('session-1')).toBeUndefined();
  });

  it('should forget a session after its lifetime, counted from the last remember', async () => {
    jest.useFakeTimers({ now: 0 });
    const owners = new InMemorySessionOwners(testTokensConfig({ sessionTtlMs: 1_000 }));
    await owners.remember('session-1', 'acc-a');
    jest.setSystemTime(900);
    await owners.remember('session-1', 'acc-a');
    jest.setSystemTime(1_800);
    expect(await owners.ownerOf('session-1')).toBe('acc-a');
    jest.setSystemTime(1_900);
    expect(await owners.ownerOf('session-1')).toBeUndefined();
  });

  it('should drop the least recently used session beyond its capacity', async () => {
    const owners = new InMemorySessionOwners(testTokensConfig({ sessionMaxEntries: 2 }));
    await owners.remember('old', 'acc-a');
    await owners.remember('used', 'acc-a');
    await owners.ownerOf('old');
    await owners.remember('new', 'acc-a');
    expect(await owners.ownerOf('used')).toBeUndefined();
    expect(await owners.ownerOf('old')).toBe('acc-a');
    expect(await owners.ownerOf('new')).toBe('acc-a');
  });
});
