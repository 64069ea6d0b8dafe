import { Global, Module } from '@nestjs/common';
import { InflightRegistry } from './inflight-registry';

@Global()
@Module({ providers: [InflightRegistry], exports: [InflightRegistry] })
export class LifecycleModule {}
