import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CredentialsService } from './credentials.service';
import { attachRequestAccounts } from './request-accounts.decorator';

/** Authenticates the caller and resolves its DeepSeek accounts (401 otherwise); read them with `@RequestAccounts()`. */
@Injectable()
export class AccountsGuard implements CanActivate {
  constructor(private readonly credentials: CredentialsService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const accounts = this.credentials.resolve(request.headers);
    attachRequestAccounts(request, accounts, this.credentials.clientKeyId(request.headers) ?? null);
    return true;
  }
}
