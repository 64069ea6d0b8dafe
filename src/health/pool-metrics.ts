import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';
import { TokenPool } from '../tokens/token-pool';

/** Feeds the pool gauges from `TokenPool.snapshot()`, read at scrape time. */
@Injectable()
export class PoolMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly pool: TokenPool,
  ) {}

  onModuleInit(): void {
    this.metrics.watchPool(
      () => this.pool.snapshot(),
      () => this.pool.poolAccounts().map(({ id, state }) => ({ id, state })),
    );
  }
}
