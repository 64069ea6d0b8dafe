import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../common/errors/api-error';
import { BearerSecret } from '../common/http/bearer-secret';
import { appConfig, type AppConfig } from '../config/app.config';

/** With METRICS_TOKEN set, `/metrics` wants it as `Authorization: Bearer …` (401 otherwise); open without it. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly secret: BearerSecret;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    this.secret = new BearerSecret(config.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.secret.configured) return true;
    const http = context.switchToHttp();
    if (this.secret.matches(http.getRequest<Request>().headers.authorization)) return true;
    http.getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="metrics"');
    throw ApiError.unauthorized('GET /metrics needs the METRICS_TOKEN as `Authorization: Bearer <token>`.');
  }
}
