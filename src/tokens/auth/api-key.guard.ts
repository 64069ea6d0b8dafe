import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CredentialsService } from './credentials.service';

/** Routes that use no account (`/token/check`) still require one of API_KEYS in managed mode. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly credentials: CredentialsService) {}

  canActivate(context: ExecutionContext): boolean {
    this.credentials.authenticateClient(context.switchToHttp().getRequest<Request>().headers);
    return true;
  }
}
