import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { quotable } from '../common/logging/client-text';
import { codexModels, type CodexModelInfo } from './codex-models';
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

  /**
   * With server-side accounts, the expert (-pro) models only while DeepSeek offers that mode to them.
   * Codex (`?client_version=`) also gets its own `models` list beside OpenAI's `data`.
   */
  @Get()
  async list(
    @Query('client_version') clientVersion?: string,
  ): Promise<OpenAiModelList | (OpenAiModelList & { models: CodexModelInfo[] })> {
    const list = await this.openAiList();
    return clientVersion === undefined ? list : { ...list, models: codexModels(list.data) };
  }

  private async openAiList(): Promise<OpenAiModelList> {
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
