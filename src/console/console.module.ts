import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The operator console at `/` (status and playground); its data comes from `/admin/status` and `/v1/*`. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
