import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CheckTokenRequestPipe, type CheckTokenRequest } from './dto/check-token.dto';
import { TokenCheckService } from './token-check.service';

/** The old server's `POST /token/check` `{ token }` → `{ live }`. */
@Controller('token')
@UseGuards(ApiKeyGuard)
export class TokenCheckController {
  constructor(private readonly checks: TokenCheckService) {}

  @Post('check')
  @HttpCode(200)
  check(@Body(CheckTokenRequestPipe) body: CheckTokenRequest): Promise<{ live: boolean }> {
    return this.checks.check(body.token);
  }
}
