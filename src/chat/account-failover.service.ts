import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { FileUploadService } from '../attachments/file-uploads.service';
import type { ResolvedFile } from '../attachments/resolved-file';
import { ApiError } from '../common/errors/api-error';
import { abortableDelay, abortReason } from '../common/lifecycle/abort';
import { MetricsService } from '../common/metrics/metrics.service';
import { appConfig, type AppConfig } from '../config/app.config';
import { CompletionOptions, DeepSeekClient, ModelType, UpstreamCompletion } from '../deepseek/deepseek.client';
import { UpstreamError, UpstreamErrorKind } from '../deepseek/upstream-error';
import type { Account } from '../tokens/pool/account';
import { WebAccountsBusyError } from './upstream-route';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { AccountLease, QueueTicket, TokenPoolService } from '../tokens/pool/token-pool.service';

/** The account cannot serve for a while (its health now says so): the next account may well answer. */
const ACCOUNT_OUT: ReadonlySet<UpstreamErrorKind> = new Set(['muted', 'auth', 'banned']);
/**
 * The account is busy (a generation we did not know of: the user may be typing in the web page) or throttled.
 * It cools down (doubling per refusal) and the request queues again at its old place, until the queue timeout.
 */
const ACCOUNT_WAIT: ReadonlySet<UpstreamErrorKind> = new Set(['busy', 'throttled']);
/** Failures on the way to DeepSeek: worth another try, but they cost time and likely hit every account alike. */
const PATH_FAILURES: ReadonlySet<UpstreamErrorKind> = new Set(['network', 'timeout', 'pow']);
/** Tries for path failures, and for out-of-rotation refusals on the one account of a continuation. */
const MAX_ATTEMPTS = 4;
/** CONTENT_EMPTY: one more try, on another account. */
const EMPTY_RETRIES = 1;
const BACKOFF_BASE_MS = 100;

export interface StartedCompletion {
  lease: AccountLease;
  completion: UpstreamCompletion;
  /** The mode that answers: the requested one, or `default` when DeepSeek refused that one. */
  modelType: ModelType;
}

/** biz_code 9: a file id of `ref_file_ids` the account does not hold (any more). */
const isUnknownFileRefusal = (error: UpstreamError): boolean =>
  error.kind === 'invalid_request' && /ref file/i.test(error.details.upstreamMessage ?? '');

/** DeepSeek's refusal of a model type the account may not use (biz_code 1 `model type not available`). */
const isModelRefusal = (error: UpstreamError): boolean =>
  error.kind === 'invalid_request' && /model.?type/i.test(error.details.upstreamMessage ?? '');

/** A completion to start, with the files to put on whichever account answers it (their ids differ per account). */
export type CompletionRequest = Omit<CompletionOptions, 'token' | 'signal' | 'refFileIds'> & {
  files?: readonly ResolvedFile[];
};

/**
 * Pre-flight with failover: lease an account, open the upstream completion, and when the upstream
 * refuses before any byte reached our client, move to another account of the request (or, for a
 * continuation, wait for the owner again). Never retries once the answer has started.
 */
@Injectable()
export class AccountFailoverService {
  private readonly logger = new Logger(AccountFailoverService.name);

  constructor(
    private readonly pool: TokenPoolService,
    private readonly deepseek: DeepSeekClient,
    private readonly capabilities: ModelCapabilitiesService,
    private readonly uploads: FileUploadService,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * `leaseWaitMs` bounds the waits for an account (UPSTREAM_MODE `web-then-api`): past it the start
   * rejects with a WebAccountsBusyError, and the request may go elsewhere.
   */
  async start(
    request: CompletionRequest,
    accounts: readonly Account[],
    affinity: string | undefined,
    signal: AbortSignal,
    client?: string,
    leaseWaitMs?: number,
  ): Promise<StartedCompletion> {
    const leaseSignal =
      leaseWaitMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(leaseWaitMs)]);
    const excluded = new Set<string>();
    let lastError: UpstreamError | undefined;
    let ticket: QueueTicket | undefined;
    let budget = MAX_ATTEMPTS;
    let emptyRetries = EMPTY_RETRIES;
    let modelType = request.modelType;
    for (let attempt = 1; ; attempt++) {
      let lease: AccountLease;
      try {
        lease = await this.pool.lease({
          accounts: [...accounts],
          affinity,
          exclude: excluded,
          signal: leaseSignal,
          ticket,
          client,
        });
      } catch (error) {
        // The abort's own reason (client gone, shutdown) says why. Once failover has used up the set, the
        // upstream's last refusal says more than "exhausted"; after busy refusals the queue's own timeout
        // (429 with retry-after) is the answer. A token check that failed for a reason not the account's
        // (network, block page) is an UpstreamError like the upstream's refusals.
        if (signal.aborted) throw abortReason(signal);
        if (leaseSignal.aborted) {
          throw new WebAccountsBusyError(`no DeepSeek account was free within ${leaseWaitMs} ms`);
        }
        if (lastError && !ACCOUNT_WAIT.has(lastError.kind)) throw lastError;
        throw error;
      }
      ticket = lease.ticket;
      const { id } = lease.account;
      try {
        const options = { ...request, modelType, token: lease.account.token, signal };
        const completion = await this.startWithFiles(lease.account, options);
        this.pool.reportSuccess(id);
        return { lease, completion, modelType };
      } catch (error) {
        if (error instanceof UpstreamError) this.pool.reportFailure(id, error);
        lease.release();
        if (signal.aborted) throw abortReason(signal);
        if (!(error instanceof UpstreamError)) throw error;
        this.metrics?.upstreamError(error.kind, 'preflight');
        this.logger.warn(
          `account ${id}: ${error.kind} before the answer started (attempt ${attempt}): ${error.message}`,
        );
        lastError = error;
        if (ACCOUNT_WAIT.has(error.kind)) continue; // the pool holds the request until a cooldown ends
        if (isModelRefusal(error) && modelType !== 'default') {
          this.capabilities.markUnavailable(id, modelType);
          if (this.config.strictModels) throw modelUnavailableError(modelType);
          modelType = 'default';
          continue;
        }
        if (error.kind === 'empty' && emptyRetries-- > 0 && affinity === undefined) {
          excluded.add(id);
          continue;
        }
        const retryable = ACCOUNT_OUT.has(error.kind) || PATH_FAILURES.has(error.kind);
        // Without affinity an out-of-rotation refusal moves to an account not tried yet: the set's size bounds it.
        if (affinity !== undefined || !ACCOUNT_OUT.has(error.kind)) budget--;
        if (!retryable || budget === 0) throw error;
        if (affinity === undefined) excluded.add(id);
        // Moving to a fresh account needs only jitter; repeated path failures and same-account retries back off.
        await jitteredBackoff(BACKOFF_BASE_MS * 2 ** Math.max(0, MAX_ATTEMPTS - budget - 1), signal);
      }
    }
  }

  /**
   * Uploads the request's files to the account (or reuses its earlier uploads of the same bytes), then
   * starts the completion referencing them. A file DeepSeek no longer knows (`invalid ref file id`: it
   * deleted an earlier upload) is uploaded again, once.
   */
  private async startWithFiles(
    account: Account,
    { files = [], ...options }: CompletionRequest & { token: string; signal: AbortSignal },
  ): Promise<UpstreamCompletion> {
    if (files.length === 0) return this.deepseek.startCompletion(options);
    const refFileIds = await this.uploads.upload(account, files, options.signal);
    try {
      return await this.deepseek.startCompletion({ ...options, refFileIds });
    } catch (error) {
      if (!(error instanceof UpstreamError && isUnknownFileRefusal(error))) throw error;
      this.uploads.forget(account, files);
      const uploaded = await this.uploads.upload(account, files, options.signal);
      return this.deepseek.startCompletion({ ...options, refFileIds: uploaded });
    }
  }

  /**
   * A follow-up turn on an account this request already holds (a corrective re-ask in the same chat): no
   * failover, since the chat lives on that account; the pool hears how it went, as for any start.
   */
  async continueOn(lease: AccountLease, request: CompletionRequest, signal: AbortSignal): Promise<UpstreamCompletion> {
    const { id, token } = lease.account;
    // The chat holds the request's files already.
    const { files: _files, ...rest } = request;
    try {
      const completion = await this.deepseek.startCompletion({ ...rest, token, signal });
      this.pool.reportSuccess(id);
      return completion;
    } catch (error) {
      if (error instanceof UpstreamError) {
        this.pool.reportFailure(id, error);
        this.metrics?.upstreamError(error.kind, 'preflight');
        this.logger.warn(`account ${id}: ${error.kind} before a corrective turn started: ${error.message}`);
      }
      throw error;
    }
  }
}

export function modelUnavailableError(modelType: string): ApiError {
  return ApiError.badRequest(
    `DeepSeek does not offer the ${modelType} mode to these accounts; use a model without -pro/-expert (STRICT_MODELS is on).`,
    'model',
    'model_not_available',
  );
}

function jitteredBackoff(baseMs: number, signal: AbortSignal): Promise<void> {
  return abortableDelay(baseMs * (0.5 + Math.random()), signal);
}
