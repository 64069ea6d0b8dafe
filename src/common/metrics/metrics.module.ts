import { DynamicModule, Module } from '@nestjs/common';
import { METRICS_OPTIONS } from './metrics.constants';
import { MetricsOptions, MetricsService } from './metrics.service';

/** One `MetricsService` for the whole app; other modules inject it (as `@Optional()` where specs build classes alone). */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions = {}): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [{ provide: METRICS_OPTIONS, useValue: options }, MetricsService],
      exports: [MetricsService],
    };
  }
}
