import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';
import { TokenPoolService } from '../tokens/pool/token-pool.service';

/** Feeds the pool gauges from `TokenPoolService.snapshot()`, read at scrape time. */
@Injectable()
export class PoolMetricsService implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly pool: TokenPoolService,
  ) {}

  onModuleInit(): void {
    this.metrics.watchPool(
      () => this.pool.snapshot(),
      () => this.pool.poolAccounts().map(({ id, state }) => ({ id, state })),
    );
  }
}
