import { Controller, Get, Header, StreamableFile, UseGuards } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text exposition (`text/plain; version=0.0.4`); Bearer METRICS_TOKEN when that is set. */
  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  @Header('cache-control', 'no-store')
  async scrape(): Promise<StreamableFile> {
    // Not a string body: Express would rewrite the content type (charset first).
    const text = await this.metrics.metrics();
    return new StreamableFile(Buffer.from(text), { type: this.metrics.contentType, length: Buffer.byteLength(text) });
  }
}
