import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { createAppLogger } from './common/logging/app-logger';
import { InflightRegistry } from './common/lifecycle/inflight-registry';
import { appConfig, AppConfig } from './config/app.config';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    forceCloseConnections: true,
  });
  const config = app.get<AppConfig>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  app.useLogger(createAppLogger(config));
  configureApp(app);
  await app.listen(config.port, config.host);
  logger.log(`listening on http://${config.host}:${config.port}`);

  // Our own signal handling instead of enableShutdownHooks(): answers in flight drain before any
  // module tears its resources down, and the process exits 0 (Nest re-raises the signal).
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining`);
    const { finished, aborted } = await app.get(InflightRegistry).drain(config.shutdownGraceMs);
    logger.log(`drained: ${finished} finished, ${aborted} ended early`);
    await app.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
}

void bootstrap();
