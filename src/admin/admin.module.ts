import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { AdminAccountsController } from './admin-accounts.controller';
import { AdminStatusController } from './admin-status.controller';
import { AdminTokenGuard } from './admin-token.guard';

/** Operator views behind ADMIN_TOKEN. */
@Module({
  imports: [TokensModule],
  controllers: [AdminAccountsController, AdminStatusController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
