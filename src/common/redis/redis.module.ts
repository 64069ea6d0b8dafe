import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { RedisConnections } from './redis-connections';

/** The process's Redis connections when `REDIS_URL` is set, else null (everything stays in memory). */
export const REDIS = Symbol('REDIS');

const STARTUP_WAIT_MS = 5_000;

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      // Serving starts once Redis answers (or a few seconds passed), so the first requests are not refused.
      useFactory: async (config: ConfigType<typeof tokensConfig>) => {
        if (!config.redisUrl) return null;
        const connections = new RedisConnections(config.redisUrl);
        await connections.whenReady(STARTUP_WAIT_MS);
        return connections;
      },
      inject: [tokensConfig.KEY],
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisConnections | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
