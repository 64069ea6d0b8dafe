import { Inject, Injectable, Logger, Optional, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { appConfig, type AppConfig } from '../../config/app.config';
import { settlesWithin } from '../lifecycle/settles-within';
import { MetricsService } from '../metrics/metrics.service';
import { type SseSource, writeSse } from './sse-writer';

/** An SSE answer whose producer may still be starting: `started` settles with its pre-flight. */
export interface SseStream extends SseSource {
  started: Promise<unknown>;
}

/** Turns an SseStream into the HTTP answer: status, headers, keep-alives, coalescing and the cut of a silent reader. */
@Injectable()
export class SseResponseService {
  private readonly logger = new Logger(SseResponseService.name);

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /**
   * Waits up to one keep-alive interval for the pre-flight: one that fails by then rejects here and keeps
   * its real HTTP status; a slow one (queue, PoW) commits to a 200 stream with keep-alives, and its failure
   * comes as the producer's error frame.
   */
  async respond(res: Response, stream: SseStream): Promise<StreamableFile> {
    await settlesWithin(stream.started, this.config.keepAliveIntervalMs);
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    const lifecycle = writeSse(res, stream, {
      keepAliveMs: this.config.keepAliveIntervalMs,
      coalesceMs: this.config.streamCoalesceMs,
      writeTimeoutMs: this.config.clientWriteTimeoutMs,
      // Closing the response aborts the request: the generation is stopped upstream and the account released.
      onWriteTimeout: (timeout) => {
        this.logger.warn(`stream cut: ${timeout.message}; the upstream generation is stopped`);
        this.metrics?.clientWriteTimeout();
        res.destroy();
      },
    });
    return new StreamableFile(lifecycle, { type: 'text/event-stream; charset=utf-8' });
  }
}
