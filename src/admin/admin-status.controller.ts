import { Controller, Get, UseGuards } from '@nestjs/common';
import type { PoolCounts } from '../common/metrics/metrics.service';
import { MetricsService } from '../common/metrics/metrics.service';
import type { MinuteSummary } from '../common/metrics/minute-history';
import { APP_VERSION } from '../console/console-files';
import { CredentialsService, type CredentialsMode } from '../tokens/auth/credentials.service';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { TokenPoolService } from '../tokens/pool/token-pool.service';
import { OfficialApiService } from '../official-api/official-api.service';
import { type AdminApiKey, toAdminApiKey } from './admin-api-key';
import { type AdminAccount, toAdminAccount } from './admin-account';
import { AdminTokenGuard } from './admin-token.guard';

/** `GET /admin/status`: what the console shows. Read-only, never a token or key. */
export interface AdminStatus {
  object: 'status';
  mode: CredentialsMode;
  version: string;
  started_at: string;
  uptime_seconds: number;
  now: string;
  /** This process's pool counts (idle, busy, cooling, quota, muted, banned, invalid; waiting, leases). */
  pool: PoolCounts;
  queue: {
    /** Requests waiting for an account now. */
    waiting: number;
    /** Waits for an account that ended in the last hour. */
    waits_last_hour: number;
    wait_avg_ms: number | null;
    wait_max_ms: number | null;
  };
  last_hour: {
    requests: number;
    ttft_p50_ms: number | null;
    ttft_p95_ms: number | null;
    errors: Record<string, number>;
  };
  /** The server's own accounts (DEEPSEEK_TOKENS) by id, as in `GET /admin/accounts`. */
  accounts: AdminAccount[];
  /** UPSTREAM_MODE, answers per upstream, and the official API's keys by hashed id. */
  upstream: { mode: string; answers: { web: number; api: number }; api_keys: AdminApiKey[] };
  /**
   * The last 60 minutes, oldest first, the current minute last. Kept in this process's memory: with
   * several replicas, each one shows the traffic it served itself.
   */
  minutes: MinuteSummary[];
}

@Controller('admin/status')
@UseGuards(AdminTokenGuard)
export class AdminStatusController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly credentials: CredentialsService,
    private readonly pool: TokenPoolService,
    private readonly capabilities: ModelCapabilitiesService,
    private readonly metrics: MetricsService,
    private readonly officialApi: OfficialApiService,
  ) {}

  /** Polled every few seconds: it reads memory only (model modes as already known, no upstream call). */
  @Get()
  status(): AdminStatus {
    const now = Date.now();
    const pool = this.pool.snapshot();
    const minutes = this.metrics.history.minutes();
    const ttft = this.metrics.history.ttftOverHour();
    const errors: Record<string, number> = {};
    let requests = 0;
    let waits = 0;
    let waitSum = 0;
    let waitMax: number | null = null;
    for (const minute of minutes) {
      requests += minute.requests;
      for (const [kind, count] of Object.entries(minute.errors)) errors[kind] = (errors[kind] ?? 0) + count;
      if (minute.queue_waits > 0) {
        waits += minute.queue_waits;
        waitSum += (minute.queue_wait_avg_ms ?? 0) * minute.queue_waits;
        waitMax = Math.max(waitMax ?? 0, minute.queue_wait_max_ms ?? 0);
      }
    }
    return {
      object: 'status',
      mode: this.credentials.mode,
      version: APP_VERSION,
      started_at: new Date(this.startedAt).toISOString(),
      uptime_seconds: Math.floor((now - this.startedAt) / 1000),
      now: new Date(now).toISOString(),
      pool,
      queue: {
        waiting: pool.waiting,
        waits_last_hour: waits,
        wait_avg_ms: waits ? Math.round(waitSum / waits) : null,
        wait_max_ms: waitMax,
      },
      last_hour: { requests, ttft_p50_ms: roundOrNull(ttft.p50), ttft_p95_ms: roundOrNull(ttft.p95), errors },
      accounts: this.pool.poolAccounts().map((view) => toAdminAccount(view, this.capabilities.peek(view.id))),
      upstream: {
        mode: this.officialApi.mode,
        answers: this.metrics.answersPerUpstream(),
        api_keys: this.officialApi.keys.views().map(toAdminApiKey),
      },
      minutes,
    };
  }
}

const roundOrNull = (value: number | null) => (value === null ? null : Math.round(value));
