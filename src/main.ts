import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { configureApp } from './app.setup';
import { InflightRegistry } from './common/lifecycle/inflight-registry';
import { settlesWithin } from './common/lifecycle/settles-within';
import { AppLogger } from './common/logging/app-logger';
import { bootFields, bootLine, listenProblem } from './common/logging/boot-report';
import { redactSecrets } from './common/logging/redact';
import { appConfig, AppConfig } from './config/app.config';
import { deepseekConfig, DeepSeekConfig } from './config/deepseek.config';
import { EnvironmentError, readEnvironment } from './config/environment';
import { CredentialsService } from './tokens/auth/credentials.service';

/** After draining: how long closing (upstream calls under way, worker threads) may take before we exit anyway. */
const CLOSE_TIMEOUT_MS = 5_000;

/** A boot that cannot go on, in plain lines on stderr (no stack, no colours), and exit status 1. */
function exitWith(lines: readonly string[]): never {
  process.stderr.write(lines.map((line) => `${line}\n`).join(''));
  process.exit(1);
}

/** Before Nest: a bad setting is one line per variable, not a stack from inside the module scan. */
function checkSettings(): void {
  try {
    readEnvironment();
  } catch (error) {
    if (error instanceof EnvironmentError) exitWith(error.problems);
    throw error;
  }
}

/** Not `app.listen()`: it logs the raw error before rejecting, and a busy port deserves one line in our words. */
function listen(app: NestExpressApplication, port: number, host: string): Promise<number> {
  const server = app.getHttpServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Our own signal handling instead of enableShutdownHooks(): answers in flight drain before any
 * module tears its resources down, and the process exits 0 (Nest re-raises the signal).
 */
function stopOnSignals(app: NestExpressApplication, graceMs: number, logger: Logger): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining`);
    const { finished, aborted } = await app.get(InflightRegistry).drain(graceMs);
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

async function bootstrap(): Promise<void> {
  checkSettings();
  // Loaded once the settings are good: ConfigModule.forRoot() validates them again as this module
  // loads, and a failure there is a rejected promise with a stack, not the lines above.
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    // Boot errors come back to us (the catch below) instead of Nest printing them and aborting.
    autoFlushLogs: false,
    abortOnError: false,
    forceCloseConnections: true,
    // configureApp registers the one body parser we want (JSON, per-route limits).
    bodyParser: false,
  });
  app.useLogger(app.get(AppLogger));
  app.flushLogs();
  const config = app.get<AppConfig>(appConfig.KEY);
  const logger = new Logger('Bootstrap');
  configureApp(app);
  await app.init();
  const port = await listen(app, config.port, config.host).catch((error: unknown) => {
    const problem = listenProblem(error, config.host, config.port);
    if (problem) exitWith([problem]);
    throw error;
  });
  // Before the boot line, which tells a supervisor that it may signal us.
  stopOnSignals(app, config.shutdownGraceMs, logger);

  const credentials = app.get(CredentialsService);
  const facts = {
    mode: credentials.mode,
    poolAccounts: credentials.serverAccountCount,
    host: config.host,
    port,
    upstream: app.get<DeepSeekConfig>(deepseekConfig.KEY).baseUrl,
  };
  logger.log(bootFields(facts), bootLine(facts));
}

bootstrap().catch((error: unknown) => {
  exitWith([
    `could not start: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
  ]);
});
