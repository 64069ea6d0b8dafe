import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Res,
  StreamableFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import { type ChatCall, ChatCallOf } from '../chat/chat-call.decorator';
import { UpstreamHeadersInterceptor } from '../chat/upstream-headers.interceptor';
import { DrainingGuard } from '../common/lifecycle/draining.guard';
import { InflightInterceptor } from '../common/lifecycle/inflight.interceptor';
import { SseResponseService } from '../common/sse/sse-response.service';
import { AccountsGuard } from '../tokens/auth/accounts.guard';
import { type RequestCredentials, RequestCredentialsOf } from '../tokens/auth/request-credentials.decorator';
import type { ResponsesRequest } from './dto/responses-request';
import { ResponsesRequestPipe } from './dto/responses-request.pipe';
import { ResponsesService } from './responses.service';
import type { ResponseObject } from './wire/responses-types';

@Controller('v1/responses')
@UseGuards(DrainingGuard, AccountsGuard)
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly sse: SseResponseService,
  ) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(InflightInterceptor, UpstreamHeadersInterceptor)
  async create(
    @Body(ResponsesRequestPipe) body: ResponsesRequest,
    @RequestCredentialsOf() credentials: RequestCredentials,
    @ChatCallOf() call: ChatCall,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ResponseObject | StreamableFile> {
    if (!body.stream) return this.responses.complete(body, credentials, call);
    return this.sse.respond(res, await this.responses.stream(body, credentials, call));
  }

  @Get(':id')
  get(@Param('id') id: string, @RequestCredentialsOf() credentials: RequestCredentials): Promise<ResponseObject> {
    return this.responses.get(id, credentials);
  }

  @Delete(':id')
  delete(@Param('id') id: string, @RequestCredentialsOf() credentials: RequestCredentials) {
    return this.responses.delete(id, credentials);
  }
}
