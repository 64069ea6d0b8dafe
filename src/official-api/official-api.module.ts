import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { upstreamHttpOptions } from '../deepseek/http/upstream-http';
import { OfficialApiClient } from './official-api.client';
import { OfficialApiService } from './official-api.service';

/** The official, paid DeepSeek API as a second upstream (UPSTREAM_MODE `api` or `web-then-api`). */
@Module({
  imports: [HttpModule.registerAsync({ useFactory: upstreamHttpOptions })],
  providers: [OfficialApiClient, OfficialApiService],
  exports: [OfficialApiService],
})
export class OfficialApiModule {}
