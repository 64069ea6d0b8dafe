import { Module } from '@nestjs/common';
import { OfficialApiModule } from '../official-api/official-api.module';
import { TokensModule } from '../tokens/tokens.module';
import { AdminAccountsController } from './admin-accounts.controller';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { AdminStatusController } from './admin-status.controller';
import { AdminTokenGuard } from './admin-token.guard';

/** Operator views behind ADMIN_TOKEN. */
@Module({
  imports: [TokensModule, OfficialApiModule],
  controllers: [AdminAccountsController, AdminStatusController, AdminApiKeysController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
