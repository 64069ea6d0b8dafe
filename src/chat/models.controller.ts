import { Controller, Get, Headers, Param } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { quotable } from '../common/logging/client-text';
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
} from './models';

@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly capabilities: ModelCapabilitiesService,
  ) {}

  /** With server-side accounts, the expert (-pro) models only while DeepSeek offers that mode to them. */
  /** Anthropic's SDKs list models with an `anthropic-version` header; they get Anthropic's shape. */
  @Get()
  async list(
    @Headers('anthropic-version') anthropicVersion: string | undefined,
  ): Promise<OpenAiModelList | AnthropicModelList> {
    const models = await this.available();
    return anthropicVersion === undefined ? models : toAnthropicModelList(models);
  }

  private async available(): Promise<OpenAiModelList> {
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
