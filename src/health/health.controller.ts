import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InflightRegistry } from '../common/lifecycle/inflight-registry';

@Controller()
export class HealthController {
  constructor(private readonly inflight: InflightRegistry) {}

  /** The old server's liveness probe; some clients still call it. */
  @Get('ping')
  @Header('content-type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }

  /** The process is up. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready for new requests: the configuration was valid at boot, and we are not draining. */
  @Get('readyz')
  readyz(@Res({ passthrough: true }) res: Response): { status: 'ready' | 'draining'; inflight: number } {
    if (this.inflight.draining) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: this.inflight.draining ? 'draining' : 'ready', inflight: this.inflight.size };
  }
}
