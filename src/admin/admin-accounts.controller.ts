import { Controller, Get, UseGuards } from '@nestjs/common';
import { CredentialsService, type CredentialsMode } from '../tokens/auth/credentials.service';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { TokenPoolService } from '../tokens/pool/token-pool.service';
import { MetricsService } from '../common/metrics/metrics.service';
import { OfficialApiService } from '../official-api/official-api.service';
import { type AdminApiKey, toAdminApiKey } from './admin-api-key';
import { AdminTokenGuard } from './admin-token.guard';
import { type AdminAccount, toAdminAccount } from './admin-account';

export interface AdminAccountList {
  object: 'list';
  mode: CredentialsMode;
  /** Requests waiting for an account in this process. */
  waiting: number;
  data: AdminAccount[];
  /** UPSTREAM_MODE: `web`, `api` or `web-then-api`. */
  upstream_mode: string;
  /** Answers started per upstream by this process. */
  answers: { web: number; api: number };
  /** The official API's keys (DEEPSEEK_API_KEYS) by hashed id; empty without them. */
  api_keys: AdminApiKey[];
}

/** `GET /admin/accounts`: each of the server's accounts by id, its state and recent history. Never a token. */
@Controller('admin/accounts')
@UseGuards(AdminTokenGuard)
export class AdminAccountsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly pool: TokenPoolService,
    private readonly capabilities: ModelCapabilitiesService,
    private readonly officialApi: OfficialApiService,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  async list(): Promise<AdminAccountList> {
    // Modes are read (and cached for hours) for the accounts shown, a few calls at most per refresh.
    await Promise.all(this.credentials.poolAccounts.map((account) => this.capabilities.of(account)));
    return {
      object: 'list',
      mode: this.credentials.mode,
      waiting: this.pool.snapshot().waiting,
      data: this.pool.poolAccounts().map((view) => toAdminAccount(view, this.capabilities.peek(view.id))),
      upstream_mode: this.officialApi.mode,
      answers: this.metrics.answersPerUpstream(),
      api_keys: this.officialApi.keys.views().map(toAdminApiKey),
    };
  }
}
