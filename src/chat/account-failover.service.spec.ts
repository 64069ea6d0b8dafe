import { toApiError } from '../common/errors/to-api-error';
import { ClientGoneError } from '../common/lifecycle/abort';
import { UpstreamError, type UpstreamErrorKind } from '../deepseek/upstream-error';
import { createAccount } from '../tokens/pool/account';
import { type ChatRig, createChatRig } from '../../test/utils/chat/chat-rig';
import type { CompletionRequest } from './account-failover.service';

const [ALICE, BOB, CAROL] = ['tok-failover-alice', 'tok-failover-bob', 'tok-failover-carol'];
const accounts = [ALICE, BOB, CAROL].map(createAccount);
const request: CompletionRequest = { prompt: 'Hi', thinking: false, search: false, modelType: 'default' };
const refusal = (kind: UpstreamErrorKind, upstreamMessage?: string) => ({
  refuse: new UpstreamError(kind, `fake ${kind}`, { upstreamMessage }),
});

describe('AccountFailoverService', () => {
  let rig: ChatRig;

  beforeEach(async () => {
    rig = await createChatRig();
  });
  afterEach(() => rig.close());

  const start = (on = accounts, signal = new AbortController().signal, affinity?: string) =>
    rig.failover.start(request, on, affinity, signal);
  /** What the client would be told about the rejection. */
  const answerTo = (pending: Promise<unknown>) =>
    pending.then(
      () => {
        throw new Error('expected the pre-flight to fail');
      },
      (error: unknown) => toApiError(error),
    );

  it.each<UpstreamErrorKind>(['busy', 'auth', 'muted', 'banned', 'network'])(
    'should answer from another account when the first one refuses (%s), its lease given back once',
    async (kind) => {
      rig.client.script(ALICE, refusal(kind));
      const { lease, completion } = await start();
      expect(lease.account.id).toBe(createAccount(BOB).id);
      expect(rig.client.attemptedTokens()).toEqual([ALICE, BOB]);
      await completion.closed;
      lease.release();
      expect(rig.locks.releaseCounts()).toEqual([1, 1]);
    },
  );

  it('should not ask a token DeepSeek rejected again on the next request', async () => {
    rig.client.script(ALICE, refusal('auth'));
    (await start([accounts[0], accounts[1]])).lease.release();
    (await start([accounts[0], accounts[1]])).lease.release();
    expect(rig.client.attemptedTokens()).toEqual([ALICE, BOB, BOB]);
  });

  it('should retry an empty answer once on another account, then answer 502 upstream_empty_answer', async () => {
    for (const token of [ALICE, BOB, CAROL]) rig.client.script(token, refusal('empty'));
    const error = await answerTo(start());
    expect([error.getStatus(), error.code]).toEqual([502, 'upstream_empty_answer']);
    expect(rig.client.attemptedTokens()).toEqual([ALICE, BOB]);
    expect(rig.locks.releaseCounts()).toEqual([1, 1]);
  });

  it.each<[UpstreamErrorKind, number, string]>([
    ['context_length', 400, 'context_length_exceeded'],
    ['content_filter', 400, 'content_filter'],
    ['client_outdated', 502, 'upstream_client_outdated'],
  ])('should not try another account for %s, which none would answer better', async (kind, status, code) => {
    rig.client.script(ALICE, refusal(kind));
    const error = await answerTo(start());
    expect([error.getStatus(), error.code]).toEqual([status, code]);
    expect(rig.client.attemptedTokens()).toEqual([ALICE]);
    expect(rig.locks.releaseCounts()).toEqual([1]);
  });

  it('should answer with the last refusal, not "accounts exhausted", once every account refused', async () => {
    rig.client.script(ALICE, refusal('banned')).script(BOB, refusal('banned'));
    const error = await answerTo(start([accounts[0], accounts[1]]));
    expect([error.getStatus(), error.code]).toEqual([403, 'account_banned']);
  });

  it('should fall back to the default mode when DeepSeek refuses the expert mode to the account', async () => {
    rig.client.script(ALICE, refusal('invalid_request', 'model type not available'));
    const started = await rig.failover.start(
      { ...request, modelType: 'expert' },
      [accounts[0]],
      undefined,
      new AbortController().signal,
    );
    expect(started.modelType).toBe('default');
    expect(rig.client.attempts.map((attempt) => attempt.modelType)).toEqual(['expert', 'default']);
    started.lease.release();
  });

  it('should keep a continuation on the account that owns it, retrying there', async () => {
    rig.client.script(BOB, refusal('network'));
    const { lease } = await start(accounts, new AbortController().signal, createAccount(BOB).id);
    expect(lease.account.id).toBe(createAccount(BOB).id);
    expect(rig.client.attemptedTokens()).toEqual([BOB, BOB]);
    lease.release();
  });

  it('should stop the upstream and give the lease back when the client leaves during the pre-flight', async () => {
    rig.client.script(ALICE, { hang: true });
    const client = new AbortController();
    const pending = start(accounts, client.signal);
    await waitFor(() => rig.client.attempts.length === 1);
    client.abort(new ClientGoneError());
    await expect(pending).rejects.toBeInstanceOf(ClientGoneError);
    expect(rig.client.attemptedTokens()).toEqual([ALICE]);
    expect(rig.locks.releaseCounts()).toEqual([1]);
    expect(rig.pool.snapshot()).toMatchObject({ leases: 0, waiting: 0 });
  });

  it('should stop waiting for a busy account when the client leaves', async () => {
    const holder = await start([accounts[0]]);
    const client = new AbortController();
    const pending = start([accounts[0]], client.signal);
    await waitFor(() => rig.pool.snapshot().waiting === 1);
    client.abort(new ClientGoneError());
    await expect(pending).rejects.toBeInstanceOf(ClientGoneError);
    expect(rig.pool.snapshot()).toMatchObject({ waiting: 0, leases: 1 });
    holder.lease.release();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('the condition never held');
}
