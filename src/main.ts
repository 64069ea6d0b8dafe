import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppLogger } from './common/logging/app-logger';
import { InflightRegistry } from './common/lifecycle/inflight-registry';
import { settlesWithin } from './common/lifecycle/settles-within';
import { appConfig, AppConfig } from './config/app.config';

/** After draining: how long closing (upstream calls under way, worker threads) may take before we exit anyway. */
const CLOSE_TIMEOUT_MS = 5_000;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    forceCloseConnections: true,
    // configureApp registers the one body parser we want (JSON, per-route limits).
    bodyParser: false,
  });
  const config = app.get<AppConfig>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  app.useLogger(app.get(AppLogger));
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
    // Closing waits for upstream calls still under way (stop_stream is worth a moment, not a hung upstream).
    let code = 0;
    try {
      if (!(await settlesWithin(app.close(), CLOSE_TIMEOUT_MS))) {
        logger.warn(`closing took over ${CLOSE_TIMEOUT_MS} ms; exiting anyway`);
      }
    } catch (error) {
      logger.error('closing failed', error instanceof Error ? error.stack : String(error));
      code = 1;
    }
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
}

void bootstrap();
