import { Module } from '@nestjs/common';
import { DeepSeekModule } from '../deepseek/deepseek.module';
import { AccountHealth } from './account-health';
import { AccountLockStore } from './account-lock.store';
import { AccountsGuard } from './accounts.guard';
import { ApiKeyGuard } from './api-key.guard';
import { CredentialsService } from './credentials.service';
import { InMemoryAccountLockStore } from './in-memory-account-lock.store';
import { InMemorySessionOwners } from './in-memory-session-owners';
import { ModelCapabilities } from './model-capabilities';
import { SessionOwners } from './session-owners';
import { TokenCheckController } from './token-check.controller';
import { TokenCheckService } from './token-check.service';
import { TokenPool } from './token-pool';
import { TokenValidator } from './token-validator';

/** Accounts and their state: credentials, the pool with its locks and queue, health, session owners. */
@Module({
  imports: [DeepSeekModule],
  controllers: [TokenCheckController],
  providers: [
    CredentialsService,
    AccountsGuard,
    ApiKeyGuard,
    AccountHealth,
    TokenValidator,
    TokenPool,
    TokenCheckService,
    ModelCapabilities,
    { provide: AccountLockStore, useClass: InMemoryAccountLockStore },
    { provide: SessionOwners, useClass: InMemorySessionOwners },
  ],
  exports: [TokenPool, CredentialsService, AccountsGuard, ApiKeyGuard, SessionOwners, ModelCapabilities],
})
export class TokensModule {}
