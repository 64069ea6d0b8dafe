import { Controller, Get, Param } from '@nestjs/common';
import { OpenAiError } from '../common/errors/openai-error';
import { quotable } from '../common/logging/client-text';
import { FIELD_LIMITS } from './dto/field-limits';
import { findModel, listModels, OpenAiModel, OpenAiModelList } from './models';

@Controller('v1/models')
export class ModelsController {
  @Get()
  list(): OpenAiModelList {
    return listModels();
  }

  @Get(':model')
  get(@Param('model') id: string): OpenAiModel {
    const model = findModel(id);
    if (!model) {
      throw OpenAiError.notFound(
        `The model \`${quotable(id, FIELD_LIMITS.model)}\` does not exist or you do not have access to it.`,
        'model_not_found',
      );
    }
    return model;
  }
}
