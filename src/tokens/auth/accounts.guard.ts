import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CredentialsService } from './credentials.service';
import { attachRequestCredentials } from './request-credentials.decorator';

/** Authenticates the caller and resolves its DeepSeek accounts (401 otherwise); read them with `@RequestAccounts()`. */
@Injectable()
export class AccountsGuard implements CanActivate {
  constructor(private readonly credentials: CredentialsService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    attachRequestCredentials(request, {
      accounts: this.credentials.resolve(request.headers),
      caller: this.credentials.clientKeyId(request.headers) ?? null,
      client: this.credentials.clientIdOf(request),
    });
    return true;
  }
}
