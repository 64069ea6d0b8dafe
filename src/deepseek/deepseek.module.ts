import { Module } from '@nestjs/common';
import { deepseekConfig, DeepSeekConfig } from '../config/deepseek.config';
import { DeepSeekClient } from './deepseek.client';
import { HttpDeepSeekClient } from './http-deepseek.client';
import { PowSolver } from './pow/pow-challenge';
import { WorkerPowSolver } from './pow/worker-pow-solver';

/** Every byte to and from DeepSeek. The rest of the app sees `DeepSeekClient` and nothing of HTTP. */
@Module({
  providers: [
    {
      provide: PowSolver,
      useFactory: (config: DeepSeekConfig) => new WorkerPowSolver(config.powWorkers),
      inject: [deepseekConfig.KEY],
    },
    { provide: DeepSeekClient, useClass: HttpDeepSeekClient },
  ],
  exports: [DeepSeekClient, PowSolver],
})
export class DeepSeekModule {}
