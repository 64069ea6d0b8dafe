import { Injectable, Logger } from '@nestjs/common';
import { CompletionOptions, DeepSeekClient, UpstreamCompletion } from '../deepseek/deepseek.client';
import { UpstreamError, UpstreamErrorKind } from '../deepseek/upstream-error';
import type { Account } from '../tokens/account';
import { AccountLease, TokenPool } from '../tokens/token-pool';
import { toOpenAiError } from './upstream-error-map';

/** Failures that say nothing about the request itself: another account may well succeed. */
const RETRYABLE: ReadonlySet<UpstreamErrorKind> = new Set([
  'busy',
  'muted',
  'auth',
  'throttled',
  'network',
  'timeout',
  'pow',
]);
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
  ) {}

  async start(
    request: CompletionRequest,
    accounts: readonly Account[],
    affinity: string | undefined,
    signal: AbortSignal,
  ): Promise<StartedCompletion> {
    const excluded = new Set<string>();
    let lastError: UpstreamError | undefined;
    for (let attempt = 1; ; attempt++) {
      let lease: AccountLease;
      try {
        lease = await this.pool.lease({ accounts: [...accounts], affinity, exclude: excluded, signal });
      } catch (error) {
        // Once failover has used up the set, the upstream's own reason says more than "exhausted".
        throw lastError && !signal.aborted ? toOpenAiError(lastError) : error;
      }
      const { id } = lease.account;
      try {
        const completion = await this.deepseek.startCompletion({ ...request, token: lease.account.token, signal });
        this.pool.reportSuccess(id);
        return { lease, completion };
      } catch (error) {
        if (error instanceof UpstreamError) this.pool.reportFailure(id, error);
        lease.release();
        if (signal.aborted) throw signal.reason;
        if (!(error instanceof UpstreamError)) throw error;
        this.logger.warn(
          `account ${id}: ${error.kind} before the answer started (attempt ${attempt}): ${error.message}`,
        );
        if (!RETRYABLE.has(error.kind) || attempt >= MAX_ATTEMPTS) throw toOpenAiError(error);
        lastError = error;
        if (!affinity) excluded.add(id);
        await jitteredBackoff(attempt, signal);
      }
    }
  }
}

function jitteredBackoff(attempt: number, signal: AbortSignal): Promise<void> {
  const ms = BACKOFF_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }
    signal.addEventListener('abort', aborted, { once: true });
  });
}
