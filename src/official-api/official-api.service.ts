import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Observable } from 'rxjs';
import type { ChatCompletionRequest } from '../chat/dto/chat-completion-request';
import type { ChatEvent } from '../chat/events/chat-event';
import type { ModelFlags } from '../chat/models';
import { abortableDelay, abortReason } from '../common/lifecycle/abort';
import { MetricsService } from '../common/metrics/metrics.service';
import { appConfig, type AppConfig } from '../config/app.config';
import { tokensConfig } from '../config/tokens.config';
import { modelUnavailableError } from '../chat/account-failover.service';
import { upstreamConfig, type UpstreamConfig } from '../config/upstream.config';
import { ApiKeyPool } from './api-key-pool';
import { OfficialAnswerRelay } from './official-answer-relay';
import { apiModelFor, ASSUMED_API_MODELS, type ApiModelChoice } from './api-models';
import { OfficialApiClient } from './official-api.client';
import { OfficialApiError } from './official-api-error';
import { toOfficialRequest } from './official-request';
import { OfficialStreamDecoder } from './official-stream-decoder';

/** An answer the official API has begun: its events (the key is held until they end) and its brake. */
export interface OfficialAnswer {
  events: Observable<ChatEvent>;
  pause: () => void;
  resume: () => void;
  /** The hashed id of the key that answers. */
  keyId: string;
  model: ApiModelChoice;
}

const RETRY_BACKOFF_MS = 250;
/** After the model list could not be read, how long the documented list stands in for it. */
const MODELS_RETRY_MS = 60_000;

/**
 * The official DeepSeek API as an upstream: picks a key, sends the client's request natively, and turns
 * the API's stream into ChatEvents. Before the answer starts it moves on when a key fails: a 401 or 402
 * takes the key out of rotation (the next key is tried at once), a 429 cools it for its `retry-after`,
 * a 5xx or a broken connection is tried again, on another key when there is one, up to `maxAttempts`.
 */
@Injectable()
export class OfficialApiService implements OnModuleDestroy {
  private readonly logger = new Logger(OfficialApiService.name);
  readonly keys: ApiKeyPool;
  private served: { ids: readonly string[]; at: number } | null = null;
  private listing: Promise<readonly string[]> | null = null;

  constructor(
    private readonly client: OfficialApiClient,
    @Inject(upstreamConfig.KEY) private readonly config: UpstreamConfig,
    @Inject(tokensConfig.KEY) private readonly tokens: ConfigType<typeof tokensConfig>,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.keys = new ApiKeyPool(config.api.keys);
    if (this.enabled) metrics?.watchApiKeys(() => this.keys.counts());
  }

  /** The official API is configured as an upstream (`api` or `web-then-api`). */
  get enabled(): boolean {
    return this.config.mode !== 'web' && this.keys.size > 0;
  }

  get mode(): UpstreamConfig['mode'] {
    return this.config.mode;
  }

  /**
   * The model ids the API serves (`GET /models`, kept `modelsTtlMs`), or the documented ones while the API
   * cannot tell (then asked again at the next call).
   */
  async servedModels(): Promise<readonly string[]> {
    if (this.served && Date.now() - this.served.at < this.config.api.modelsTtlMs) return this.served.ids;
    this.listing ??= this.fetchModels().finally(() => (this.listing = null));
    return this.listing;
  }

  /** Starts the answer on a key; rejects (before any byte reached the client) when no key can give one. */
  async open(
    request: ChatCompletionRequest,
    flags: Pick<ModelFlags, 'thinking' | 'modelType'>,
    promptTokens: number,
    signal: AbortSignal,
  ): Promise<OfficialAnswer> {
    const model = apiModelFor(request.model, flags, await this.servedModels());
    if (model.fellBack && this.app.strictModels) throw modelUnavailableError('expert');
    const body = toOfficialRequest(request, model);
    const custom = new Set(request.tools?.tools.filter((tool) => tool.kind === 'custom').map((tool) => tool.name));
    const failed = new Set<string>();
    for (let attempt = 1; ;) {
      // A key that just failed is skipped while another can serve.
      const exclude = failed.size < this.keys.size ? failed : new Set<string>();
      const lease = await this.keys.lease(signal, this.tokens.queueTimeoutMs, exclude);
      try {
        const stream = await this.client.chat(lease.key, body, signal);
        const options = { idleTimeoutMs: this.config.api.idleTimeoutMs, promptTokens };
        const relay = new OfficialAnswerRelay(stream, lease, new OfficialStreamDecoder(custom), options, signal);
        return {
          events: relay.events,
          pause: () => relay.pause(),
          resume: () => relay.resume(),
          keyId: lease.id,
          model,
        };
      } catch (error) {
        lease.release();
        if (signal.aborted) throw abortReason(signal);
        if (!(error instanceof OfficialApiError)) throw error;
        this.metrics?.upstreamError(`api_${error.kind}`, 'preflight');
        this.logger.warn(`api key ${lease.id}: ${error.kind} before the answer started (attempt ${attempt})`);
        if (error.kind === 'auth') this.keys.markInvalid(lease.id);
        else if (error.kind === 'insufficient_balance') this.keys.markNoBalance(lease.id);
        else {
          if (error.kind === 'rate_limited') {
            this.keys.coolDown(lease.id, error.retryAfterMs ?? this.config.api.rateLimitCooldownMs);
          } else {
            this.keys.recordError(lease.id, error.kind);
            failed.add(lease.id);
          }
          if (!error.retryable || ++attempt > this.config.api.maxAttempts) throw error;
          if (error.kind !== 'rate_limited') await abortableDelay(RETRY_BACKOFF_MS * attempt, signal);
        }
      }
    }
  }

  onModuleDestroy(): void {
    this.keys.close();
    this.client.close();
  }

  private async fetchModels(): Promise<readonly string[]> {
    const key = this.config.api.keys[0]?.key;
    if (key === undefined) return ASSUMED_API_MODELS;
    try {
      const ids = await this.client.models(key, AbortSignal.timeout(this.config.api.headersTimeoutMs));
      this.served = { ids, at: Date.now() };
      return ids;
    } catch (error) {
      const kind = error instanceof OfficialApiError ? error.kind : 'unexpected';
      this.logger.warn(`the official API's model list is unavailable (${kind}); assuming the documented models`);
      // Asked again in a minute, not on every request.
      this.served = { ids: ASSUMED_API_MODELS, at: Date.now() - this.config.api.modelsTtlMs + MODELS_RETRY_MS };
      return ASSUMED_API_MODELS;
    }
  }
}
