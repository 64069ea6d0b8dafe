import { testTokensConfig } from '../../../test/utils/tokens/test-tokens-config';
import { stateOf } from '../../../test/utils/promise-state';
import { createAccount } from './account';
import { AccountHealthService } from './account-health.service';
import { InMemoryAccountLockStore } from './in-memory-account-lock.store';
import { PeerQueues } from './peer-queues';
import { PEER_HANDOFF_MS, SlotDispatcher, type SlotRequest } from './slot-dispatcher';

/** Another replica's queue as this one hears of it: set by the test. */
class HeardQueues extends PeerQueues {
  oldest = new Map<string, number>();
  report(): void {}
  olderElsewhere(candidateKey: string, than: number): number | undefined {
    const startedAt = this.oldest.get(candidateKey);
    return startedAt !== undefined && startedAt < than ? startedAt : undefined;
  }
  onChange(): () => void {
    return () => undefined;
  }
}

const account = createAccount('tok-shared');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('SlotDispatcher with other replicas waiting', () => {
  let store: InMemoryAccountLockStore;
  let peers: HeardQueues;
  let dispatcher: SlotDispatcher;
  const request = (startedAt: number): SlotRequest => ({
    seq: startedAt,
    candidates: [account],
    scope: 'request',
    startedAt,
    deadline: Date.now() + 10_000,
    returning: false,
  });

  beforeEach(() => {
    store = new InMemoryAccountLockStore();
    peers = new HeardQueues();
    const health = new AccountHealthService(testTokensConfig());
    dispatcher = new SlotDispatcher(store, health, { maxInflight: 1, leaseTtlMs: 60_000, queueMaxLength: 100 }, peers);
    store.onRelease(() => dispatcher.wake());
  });
  afterEach(() => dispatcher.rejectAll(new Error('test over')));

  it('should take a free account at once when no other replica has an older waiter', async () => {
    peers.oldest.set(account.id, Date.now() + 1_000);
    const grant = await dispatcher.acquire(request(Date.now()));
    expect(grant.account.id).toBe(account.id);
  });

  it("should leave a free account to another replica's older waiter, which takes it", async () => {
    const now = Date.now();
    peers.oldest.set(account.id, now - 1_000);
    const mine = dispatcher.acquire(request(now));
    await sleep(20);
    expect(await stateOf(mine)).toBe('pending');
    // The other replica takes the account it was left, and its waiter leaves its queue.
    const theirs = await store.tryAcquire(account.id, 1, 60_000);
    expect(theirs).not.toBeNull();
    peers.oldest.delete(account.id);
    await sleep(PEER_HANDOFF_MS + 50);
    expect(await stateOf(mine)).toBe('pending');

    await store.release(account.id, theirs ?? '');
    expect((await mine).account.id).toBe(account.id);
  });

  it('should take the account after the handoff time when the older waiter does not (its replica may be gone)', async () => {
    const now = Date.now();
    peers.oldest.set(account.id, now - 1_000);
    const mine = dispatcher.acquire(request(now));
    await sleep(PEER_HANDOFF_MS / 2);
    expect(await stateOf(mine)).toBe('pending');

    const grant = await mine;
    expect(grant.account.id).toBe(account.id);
    expect(Date.now() - now).toBeGreaterThanOrEqual(PEER_HANDOFF_MS - 5);
  });
});
