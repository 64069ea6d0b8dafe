import { Controller, Get, Header } from '@nestjs/common';

@Controller()
export class HealthController {
  /** The old server's liveness probe; some clients still call it. */
  @Get('ping')
  @Header('content-type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
