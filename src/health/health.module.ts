import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { HealthController } from './health.controller';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';
import { PoolMetrics } from './pool-metrics';

/** Probes (`/ping`, `/healthz`, `/readyz`) and `/metrics`. */
@Module({
  imports: [TokensModule],
  controllers: [HealthController, MetricsController],
  providers: [MetricsTokenGuard, PoolMetrics],
})
export class HealthModule {}
