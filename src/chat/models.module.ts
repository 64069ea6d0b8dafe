import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { ModelsController } from './models.controller';

@Module({ imports: [TokensModule], controllers: [ModelsController] })
export class ModelsModule {}
