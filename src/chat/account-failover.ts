import { Injectable, Logger, Optional } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';
import { CompletionOptions, DeepSeekClient, UpstreamCompletion } from '../deepseek/deepseek.client';
import { UpstreamError, UpstreamErrorKind } from '../deepseek/upstream-error';
import type { Account } from '../tokens/account';
import { AccountLease, TokenPool } from '../tokens/token-pool';
import { toOpenAiError } from './upstream-error-map';

/** Refusals of one account: the next account may well answer, so each account of the set gets its turn. */
const ACCOUNT_REFUSALS: ReadonlySet<UpstreamErrorKind> = new Set(['busy', 'muted', 'auth', 'throttled']);
/** Failures on the way to DeepSeek: worth another try, but they cost time and likely hit every account alike. */
const PATH_FAILURES: ReadonlySet<UpstreamErrorKind> = new Set(['network', 'timeout', 'pow']);
/** Tries for path failures, and for any retry on the one account of a continuation. */
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;

export interface StartedCompletion {
  lease: AccountLease;
  completion: UpstreamCompletion;
}

export type CompletionRequest = Omit<CompletionOptions, 'token' | 'signal'>;

/**
 * Pre-flight with failover: lease an account, open the upstream completion, and when the upstream
 * refuses before any byte reached our client, move to another account of the request (or, for a
 * continuation, wait for the owner again). Never retries once the answer has started.
 */
@Injectable()
export class AccountFailover {
  private readonly logger = new Logger(AccountFailover.name);

  constructor(
    private readonly pool: TokenPool,
    private readonly deepseek: DeepSeekClient,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async start(
    request: CompletionRequest,
    accounts: readonly Account[],
    affinity: string | undefined,
    signal: AbortSignal,
  ): Promise<StartedCompletion> {
    const excluded = new Set<string>();
    let lastError: UpstreamError | undefined;
    let budget = MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      let lease: AccountLease;
      try {
        lease = await this.pool.lease({ accounts: [...accounts], affinity, exclude: excluded, signal });
      } catch (error) {
        // The abort's own reason (client gone, shutdown) says why; once failover has used up the set,
        // the upstream's last refusal says more than "exhausted". A token check that failed for a reason
        // not the account's (network, block page) is an UpstreamError: it gets its status here too.
        if (signal.aborted) throw abortReason(signal, error);
        if (lastError || error instanceof UpstreamError) throw toOpenAiError(lastError ?? error);
        throw error;
      }
      const { id } = lease.account;
      try {
        const completion = await this.deepseek.startCompletion({ ...request, token: lease.account.token, signal });
        this.pool.reportSuccess(id);
        return { lease, completion };
      } catch (error) {
        if (error instanceof UpstreamError) this.pool.reportFailure(id, error);
        lease.release();
        if (signal.aborted) throw abortReason(signal, error);
        if (!(error instanceof UpstreamError)) throw error;
        this.metrics?.upstreamError(error.kind, 'preflight');
        this.logger.warn(
          `account ${id}: ${error.kind} before the answer started (attempt ${attempt}): ${error.message}`,
        );
        // Without affinity a refusal moves to an account not tried yet, so the set's size bounds it.
        if (affinity !== undefined || !ACCOUNT_REFUSALS.has(error.kind)) budget--;
        const retryable = ACCOUNT_REFUSALS.has(error.kind) || PATH_FAILURES.has(error.kind);
        if (!retryable || budget === 0) throw toOpenAiError(error);
        lastError = error;
        if (!affinity) excluded.add(id);
        // Moving to a fresh account needs only jitter; repeated path failures and same-account retries back off.
        await jitteredBackoff(BACKOFF_BASE_MS * 2 ** Math.max(0, MAX_ATTEMPTS - budget - 1), signal);
      }
    }
  }
}

function jitteredBackoff(baseMs: number, signal: AbortSignal): Promise<void> {
  const ms = baseMs * (0.5 + Math.random());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(abortReason(signal, new Error('aborted')));
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}

const abortReason = <T>(signal: AbortSignal, fallback: T): Error | T =>
  signal.reason instanceof Error ? signal.reason : fallback;
