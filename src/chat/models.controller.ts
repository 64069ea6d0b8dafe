import { Controller, Get, Param } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { quotable } from '../common/logging/client-text';
import { CredentialsService } from '../tokens/auth/credentials.service';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { FIELD_LIMITS } from './dto/field-limits';
import { findModel, listModels, OpenAiModel, OpenAiModelList, resolveModel } from './models';

@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly capabilities: ModelCapabilitiesService,
  ) {}

  /** With server-side accounts, the expert (-pro) models only while DeepSeek offers that mode to them. */
  @Get()
  async list(): Promise<OpenAiModelList> {
    const accounts = this.credentials.poolAccounts;
    if (accounts.length === 0 || (await this.capabilities.supports('expert', accounts))) return listModels();
    return listModels((id) => resolveModel(id).modelType !== 'expert');
  }

  @Get(':model')
  get(@Param('model') id: string): OpenAiModel {
    const model = findModel(id);
    if (!model) {
      throw ApiError.notFound(
        `The model \`${quotable(id, FIELD_LIMITS.model)}\` does not exist or you do not have access to it.`,
        'model_not_found',
      );
    }
    return model;
  }
}
