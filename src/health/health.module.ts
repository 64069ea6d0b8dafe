import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { HealthController } from './health.controller';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';
import { PoolMetricsService } from './pool-metrics.service';

/** Probes (`/ping`, `/healthz`, `/readyz`) and `/metrics`. */
@Module({
  imports: [TokensModule],
  controllers: [HealthController, MetricsController],
  providers: [MetricsTokenGuard, PoolMetricsService],
})
export class HealthModule {}
