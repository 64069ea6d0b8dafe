import { Module } from '@nestjs/common';
import { OfficialApiClient } from './official-api.client';
import { OfficialApiService } from './official-api.service';

/** The official, paid DeepSeek API as a second upstream (UPSTREAM_MODE `api` or `web-then-api`). */
@Module({
  providers: [OfficialApiClient, OfficialApiService],
  exports: [OfficialApiService],
})
export class OfficialApiModule {}
