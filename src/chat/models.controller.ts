import { Controller, Get, Headers, Param, Query } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { quotable } from '../common/logging/client-text';
import { codexModels, type CodexModelInfo } from './codex-models';
import { OfficialApiService } from '../official-api/official-api.service';
import { CredentialsService } from '../tokens/auth/credentials.service';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { FIELD_LIMITS } from './dto/field-limits';
import {
  type AnthropicModel,
  type AnthropicModelList,
  findModel,
  listModels,
  OpenAiModel,
  OpenAiModelList,
  resolveModel,
  toAnthropicModel,
  toAnthropicModelList,
  toOpenAiModel,
} from './models';

@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly capabilities: ModelCapabilitiesService,
    private readonly officialApi: OfficialApiService,
  ) {}

  /**
   * With server-side accounts, the expert (-pro) models only while DeepSeek offers that mode to them.
   * Anthropic's SDKs (an `anthropic-version` header) get Anthropic's shape; Codex (`?client_version=`)
   * also gets its own `models` list beside OpenAI's `data`.
   */
  @Get()
  async list(
    @Headers('anthropic-version') anthropicVersion: string | undefined,
    @Query('client_version') clientVersion?: string,
  ): Promise<OpenAiModelList | AnthropicModelList | (OpenAiModelList & { models: CodexModelInfo[] })> {
    const models = await this.available();
    if (anthropicVersion !== undefined) return toAnthropicModelList(models);
    return clientVersion === undefined ? models : { ...models, models: codexModels(models.data) };
  }

  /** What the configured upstreams serve: the web's names, the official API's own ids, or both. */
  private async available(): Promise<OpenAiModelList> {
    const web = this.officialApi.mode === 'api' ? listModels((id) => !resolveModel(id).search) : await this.webModels();
    if (!this.officialApi.enabled) return web;
    const listed = new Set(web.data.map((model) => model.id));
    const api = (await this.officialApi.servedModels()).filter((id) => !listed.has(id)).map(toOpenAiModel);
    return { object: 'list', data: [...web.data, ...api] };
  }

  private async webModels(): Promise<OpenAiModelList> {
    const accounts = this.credentials.poolAccounts;
    if (accounts.length === 0 || (await this.capabilities.supports('expert', accounts))) return listModels();
    return listModels((id) => resolveModel(id).modelType !== 'expert');
  }

  @Get(':model')
  get(
    @Param('model') id: string,
    @Headers('anthropic-version') anthropicVersion: string | undefined,
  ): OpenAiModel | AnthropicModel {
    const model = findModel(id);
    if (!model) {
      throw ApiError.notFound(
        `The model \`${quotable(id, FIELD_LIMITS.model)}\` does not exist or you do not have access to it.`,
        'model_not_found',
      );
    }
    return anthropicVersion === undefined ? model : toAnthropicModel(model);
  }
}
