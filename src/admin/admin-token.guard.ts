import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../common/errors/api-error';
import { BearerSecret } from '../common/http/bearer-secret';
import { appConfig, type AppConfig } from '../config/app.config';

/** `/admin/*` needs ADMIN_TOKEN as `Authorization: Bearer …`; without ADMIN_TOKEN the routes do not exist (404). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly secret: BearerSecret;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    this.secret = new BearerSecret(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    // The same 404 as any unknown route: nothing tells that an admin route exists.
    if (!this.secret.configured) throw new NotFoundException();
    if (this.secret.matches(request.headers.authorization)) return true;
    http.getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="admin"');
    throw ApiError.unauthorized('This route needs the ADMIN_TOKEN as `Authorization: Bearer <token>`.');
  }
}
