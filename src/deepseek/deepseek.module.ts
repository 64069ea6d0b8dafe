import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { deepseekConfig, DeepSeekConfig } from '../config/deepseek.config';
import { DeepSeekClient } from './deepseek.client';
import { upstreamHttpOptions } from './http/upstream-http';
import { HttpDeepSeekClient } from './http-deepseek.client';
import { PowSolver } from './pow/pow-challenge';
import { WorkerPowSolver } from './pow/worker-pow-solver';

/** Every byte to and from DeepSeek. The rest of the app sees `DeepSeekClient` and nothing of HTTP. */
@Module({
  // A factory, so that the keep-alive agents are made when the module starts, not when this file loads.
  imports: [HttpModule.registerAsync({ useFactory: upstreamHttpOptions })],
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
