import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MetricsService, type PoolAccountStateName, type PoolCounts } from '../../common/metrics/metrics.service';
import { tokensConfig } from '../../config/tokens.config';
import { UpstreamError } from '../../deepseek/upstream-error';
import { abortError } from '../../common/lifecycle/abort';
import { Account, distinctAccounts } from './account';
import { AccountFacts, AccountHealthService, isOutOfRotation } from './account-health.service';
import { AccountLockStore } from './account-lock.store';
import { AccountLease, ActiveLeases, QueueTicket } from './active-leases';
import { exhaustedError, LeaseScope, sessionAccountUnavailableError, shuttingDownError } from './pool-errors';
import { PeerQueues } from './peer-queues';
import { SlotDispatcher, SlotGrant } from './slot-dispatcher';
import { TokenValidatorService } from '../auth/token-validator.service';

export type { AccountLease, QueueTicket } from './active-leases';

export interface LeaseRequest {
  /** The accounts this request may use (from CredentialsService). */
  readonly accounts: readonly Account[];
  /** Id of the only account that may serve it: the owner of the conversation being continued. */
  readonly affinity?: string;
  /** Ids to skip: accounts that already failed this request (failover). */
  readonly exclude?: ReadonlySet<string>;
  /** Aborting (client gone) withdraws the request; `lease()` then rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** The ticket of an earlier lease of the same request: it queues again at its old place, by its old deadline. */
  readonly ticket?: QueueTicket;
  /** Who the request counts against: checks of tokens it brings are rate-limited per client. */
  readonly client?: string;
}

/** One pool account as an operator sees it (never its token). */
export interface PoolAccountView extends AccountFacts {
  id: string;
  state: PoolAccountStateName;
  /** Generations this process runs on it now. */
  inflight: number;
}

/** The pool's counts for metrics; the shape lives with the metrics that read it. */
export type PoolSnapshot = PoolCounts;

/** Per-account generation locks over the lock store, with a fair wait queue and account health. */
@Injectable()
export class TokenPoolService implements OnModuleDestroy {
  private readonly logger = new Logger(TokenPoolService.name);
  private readonly dispatcher: SlotDispatcher;
  private readonly leases: ActiveLeases;
  private readonly unsubscribe: () => void;
  private nextSeq = 0;
  private closed = false;

  constructor(
    @Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>,
    private readonly store: AccountLockStore,
    private readonly health: AccountHealthService,
    private readonly validator: TokenValidatorService,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() @Inject(PeerQueues) private readonly peers: PeerQueues | null = null,
  ) {
    this.dispatcher = new SlotDispatcher(
      store,
      health,
      {
        maxInflight: config.accountMaxInflight,
        leaseTtlMs: config.leaseTtlMs,
        queueMaxLength: config.queueMaxLength,
      },
      peers,
    );
    this.leases = new ActiveLeases(store, config);
    const unsubscribes = [
      store.onRelease(() => this.dispatcher.wake()),
      health.onChange(() => this.dispatcher.wake()),
      peers?.onChange(() => this.dispatcher.wake()),
    ];
    this.unsubscribe = () => unsubscribes.forEach((unsubscribe) => unsubscribe?.());
  }

  /**
   * Waits for a slot on the least recently used healthy account of the request (only the `affinity`
   * account when given), in FIFO order, up to QUEUE_TIMEOUT_MS. A token not checked within the last
   * hour is checked first (`users/current`); a dead or muted one is skipped for the next account.
   *
   * Rejects with a PoolError when no account can serve (every token rejected, muted or banned, queue
   * timeout or full queue, `affinity` not among `accounts`); with an ApiError 429 when the client brought
   * too many new tokens to check; with an AbortError when `signal` aborts; with an UpstreamError when the
   * token check fails for a reason that is not the account's (network, blocked…). When `exclude`
   * leaves nothing to try, callers that know the last upstream error should report that instead.
   */
  async lease(request: LeaseRequest): Promise<AccountLease> {
    if (this.closed) throw shuttingDownError();
    await this.health.learn(distinctAccounts(request.accounts).map((account) => account.id));
    const { candidates, scope } = this.candidatesOf(request);
    const { signal } = request;
    const ticket = request.ticket ?? { seq: this.nextSeq++, startedAt: Date.now() };
    const { startedAt } = ticket;
    const slot = { seq: ticket.seq, candidates, scope, startedAt, signal };
    for (let returning = false; ; returning = true) {
      const deadline = startedAt + this.config.queueTimeoutMs;
      const grant = await this.dispatcher.acquire({ ...slot, deadline, returning });
      let usable: boolean;
      try {
        usable = await this.validator.ensureUsable(grant.account, signal, request.client);
        if (signal?.aborted) throw abortError();
      } catch (error) {
        this.freeSlot(grant);
        if (error instanceof UpstreamError) this.reportCheckFailure(grant.account.id, error);
        throw error;
      }
      if (usable) {
        this.metrics?.observeQueueWait(Date.now() - startedAt);
        return this.leases.open(grant, ticket);
      }
      this.freeSlot(grant);
    }
  }

  /** Records what a generation on the account ran into: auth → invalid; muted → until then; busy/throttled → cooldown. */
  reportFailure(accountId: string, error: UpstreamError): void {
    this.health.markSent(accountId);
    this.health.recordError(accountId, error.kind);
    switch (error.kind) {
      case 'auth':
        this.health.markInvalid(accountId);
        break;
      case 'banned':
        this.health.markBanned(accountId);
        break;
      case 'muted':
        this.health.markMuted(accountId, error.details.muteUntilMs, error.details.suspended === true);
        break;
      case 'busy':
      case 'throttled':
        this.health.markRefused(accountId, error.kind);
        break;
      case 'client_outdated':
      case 'empty':
      case 'blocked':
      case 'content_filter':
      case 'context_length':
      case 'invalid_request':
      case 'pow':
      case 'bad_response':
      case 'network':
      case 'timeout':
        return; // Says nothing about the account.
    }
    this.dispatcher.wake();
  }

  /** A generation went through: clears the cooldown backoff and vouches for the token for another hour. */
  reportSuccess(accountId: string): void {
    this.health.markSent(accountId);
    this.health.markSucceeded(accountId);
    this.dispatcher.wake();
  }

  snapshot(): PoolSnapshot {
    const now = Date.now();
    const counts = { idle: 0, busy: 0, cooling: 0, quota: 0, muted: 0, banned: 0, invalid: 0 };
    for (const id of this.health.knownIds()) {
      const { kind } = this.health.condition(id, now);
      if (kind === 'invalid' || kind === 'muted' || kind === 'banned') counts[kind]++;
      else if (this.leases.inflight(id) > 0) counts.busy++;
      else if (kind === 'ready') counts.idle++;
      else counts[kind]++;
    }
    return { ...counts, waiting: this.dispatcher.waiting, leases: this.leases.size };
  }

  /** The server's own accounts (DEEPSEEK_TOKENS), each with what the pool knows of it. */
  poolAccounts(): PoolAccountView[] {
    const now = Date.now();
    return this.health.poolIds().map((id) => {
      const facts = this.health.facts(id, now);
      const inflight = this.leases.inflight(id);
      const { condition } = facts;
      const state: PoolAccountStateName = isOutOfRotation(condition)
        ? (condition.kind as PoolAccountStateName)
        : inflight > 0
          ? 'generating'
          : condition.kind === 'ready'
            ? 'idle'
            : condition.kind;
      return { id, state, inflight, ...facts };
    });
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.dispatcher.rejectAll(shuttingDownError());
    this.leases.stop();
    this.unsubscribe();
  }

  private candidatesOf(request: LeaseRequest): { candidates: Account[]; scope: LeaseScope } {
    const all = distinctAccounts(request.accounts);
    if (all.length === 0) throw new Error('TokenPoolService.lease() needs at least one account');
    for (const account of all) this.health.know(account.id);
    const allowed = all.filter((account) => !request.exclude?.has(account.id));
    if (request.affinity !== undefined) {
      const owner = allowed.find((account) => account.id === request.affinity);
      if (!owner) throw sessionAccountUnavailableError();
      return { candidates: [owner], scope: 'session' };
    }
    if (allowed.length === 0) throw exhaustedError(all.map((account) => this.health.condition(account.id)));
    return { candidates: allowed, scope: 'request' };
  }

  /** A token check that failed for a reason not the account's (unreachable, blocked…): the operator must hear of it. */
  private reportCheckFailure(accountId: string, error: UpstreamError): void {
    this.health.recordError(accountId, error.kind);
    this.metrics?.upstreamError(error.kind, 'validation');
    this.logger.warn(`account ${accountId}: the token check failed (${error.kind}): ${error.message}`);
  }

  private freeSlot(grant: SlotGrant): void {
    this.store.release(grant.account.id, grant.leaseId).catch((error: unknown) => {
      this.logger.warn(
        `releasing account ${grant.account.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
