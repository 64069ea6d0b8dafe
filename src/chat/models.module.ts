import { Module } from '@nestjs/common';
import { OfficialApiModule } from '../official-api/official-api.module';
import { TokensModule } from '../tokens/tokens.module';
import { ModelsController } from './models.controller';

@Module({ imports: [TokensModule, OfficialApiModule], controllers: [ModelsController] })
export class ModelsModule {}
