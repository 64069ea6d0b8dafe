import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { OpenAiError } from '../common/errors/openai-error';
import { appConfig, type AppConfig } from '../config/app.config';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** With METRICS_TOKEN set, `/metrics` wants it as `Authorization: Bearer …` (401 otherwise); open without it. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    this.expected = config.metricsToken ? digest(config.metricsToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const http = context.switchToHttp();
    const header = http.getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Comparing fixed-length digests keeps the check constant-time whatever the caller sent.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    http.getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="metrics"');
    throw OpenAiError.unauthorized('GET /metrics needs the METRICS_TOKEN as `Authorization: Bearer <token>`.');
  }
}
