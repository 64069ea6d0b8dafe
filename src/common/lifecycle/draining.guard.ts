import { CanActivate, HttpStatus, Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { InflightRegistry } from './inflight-registry';

/** Refuses new work while the server drains for shutdown: 503 `server_shutting_down`, retry after a second. */
@Injectable()
export class DrainingGuard implements CanActivate {
  constructor(private readonly inflight: InflightRegistry) {}

  canActivate(): boolean {
    if (!this.inflight.draining) return true;
    throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'The server is shutting down; retry the request.', {
      code: 'server_shutting_down',
      retryAfterSec: 1,
    });
  }
}
