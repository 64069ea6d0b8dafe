import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { OfficialApiService } from '../official-api/official-api.service';
import { type AdminApiKey, toAdminApiKey } from './admin-api-key';
import { AdminTokenGuard } from './admin-token.guard';

/**
 * `GET /admin/api-keys`: the official API's keys by hashed id and state. `POST /admin/api-keys/{id}/enable`
 * puts a key the API refused (401, 402: out of rotation until then) back, after the operator fixed it.
 */
@Controller('admin/api-keys')
@UseGuards(AdminTokenGuard)
export class AdminApiKeysController {
  constructor(private readonly officialApi: OfficialApiService) {}

  @Get()
  list(): { object: 'list'; data: AdminApiKey[] } {
    return { object: 'list', data: this.officialApi.keys.views().map(toAdminApiKey) };
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string): AdminApiKey {
    if (!this.officialApi.keys.enable(id)) {
      throw ApiError.notFound('No official API key has this id (see GET /admin/api-keys).', 'api_key_not_found', 'id');
    }
    return toAdminApiKey(this.officialApi.keys.views().find((view) => view.id === id)!);
  }
}
