import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { DeepSeekClient, ModelAvailability } from '../../deepseek/deepseek.client';
import type { Account } from './account';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';

/** How long one `client/settings` answer is trusted: modes change with upstream releases, not by the minute. */
const CAPABILITIES_TTL_MS = 6 * 3_600_000;
/** After a failed read, the account's modes stay unknown (and are not asked again) this long. */
const RETRY_AFTER_FAILURE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

/**
 * Which model types (`default`, `expert`, `vision`) each account may use, read from `client/settings` and
 * cached; an upstream refusal of a type is remembered too. Unknown counts as "try it": the upstream's
 * refusal then falls back.
 */
@Injectable()
export class ModelCapabilitiesService {
  private readonly logger = new Logger(ModelCapabilitiesService.name);
  /** Account id → its modes (null: unreadable) and until when that answer holds. */
  private readonly known: BoundedTtlMap<string, { availability: ModelAvailability | null; until: number }>;
  private readonly pending = new Map<string, Promise<ModelAvailability | null>>();

  constructor(
    private readonly client: DeepSeekClient,
    @Inject(tokensConfig.KEY) config: ConfigType<typeof tokensConfig>,
  ) {
    this.known = new BoundedTtlMap(config.maxKnownAccounts);
  }

  /** What is cached for the account; null when unknown. */
  peek(accountId: string): ModelAvailability | null {
    return this.known.peek(accountId)?.availability ?? null;
  }

  /** The account's modes, from the cache or one `client/settings` call (shared by concurrent callers); null if unreadable. */
  of(account: Account): Promise<ModelAvailability | null> {
    if (this.isFresh(account.id)) return Promise.resolve(this.peek(account.id));
    let pending = this.pending.get(account.id);
    if (!pending) {
      pending = this.fetch(account).finally(() => this.pending.delete(account.id));
      this.pending.set(account.id, pending);
    }
    return pending;
  }

  /**
   * Whether `modelType` may work on the accounts: reads the modes of the first account not asked yet (one
   * call at most per request), then false only when every account whose modes are known has it disabled.
   * Accounts whose modes could not be read have no say (a banned account answers nothing).
   */
  async supports(modelType: string, accounts: readonly Account[]): Promise<boolean> {
    if (modelType === 'default') return true;
    const unasked = accounts.find((account) => !this.isFresh(account.id));
    if (unasked) await this.of(unasked);
    const known = accounts.map((account) => this.peek(account.id)).filter((modes) => modes !== null);
    return known.length === 0 || known.some((modes) => modes[modelType] !== false);
  }

  /** DeepSeek refused the model type on this account: remember it as disabled. */
  markUnavailable(accountId: string, modelType: string): void {
    this.remember(accountId, { ...this.peek(accountId), [modelType]: false }, CAPABILITIES_TTL_MS);
  }

  private isFresh(accountId: string): boolean {
    return (this.known.peek(accountId)?.until ?? 0) > Date.now();
  }

  private remember(accountId: string, availability: ModelAvailability | null, forMs: number): void {
    this.known.set(accountId, { availability, until: Date.now() + forMs });
  }

  private async fetch(account: Account): Promise<ModelAvailability | null> {
    try {
      const availability = await this.client.modelSettings(account.token, AbortSignal.timeout(FETCH_TIMEOUT_MS));
      this.remember(account.id, availability, CAPABILITIES_TTL_MS);
      return availability;
    } catch (error) {
      this.logger.debug(
        `account ${account.id}: model settings unreadable: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.remember(account.id, null, RETRY_AFTER_FAILURE_MS);
      return null;
    }
  }
}
