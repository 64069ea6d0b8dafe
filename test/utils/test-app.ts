import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppLogger } from '../../src/common/logging/app-logger';
import { LOG_DESTINATION } from '../../src/common/logging/logging.constants';

export interface TestApp {
  app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Receives every log line of the app, boot included (default: errors and warnings on the console). */
  logger?: LoggerService;
  /**
   * Runs the production logger (pino, as main.ts does) writing here: a `JsonLogCapture`
   * (test/utils/log-capture.ts). Without it, the app's pino output goes nowhere.
   */
  logs?: DestinationStream;
}

const discard: DestinationStream = { write: () => undefined };

/**
 * What the test app runs with unless `env` says otherwise: it listens on 127.0.0.1 (so HOST says so),
 * and the per-client rate limits are off, since every suite sends its bursts from that one address.
 */
const TEST_DEFAULTS: Record<string, string> = {
  HOST: '127.0.0.1',
  RATE_LIMIT_CHAT_PER_MINUTE: '0',
  RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE: '0',
  RATE_LIMIT_NEW_TOKENS_PER_MINUTE: '0',
};

/**
 * The real AppModule on port 0, configured by `env` exactly as main.ts would be. Environment
 * variables are set only while the module initialises, then restored.
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const env = { ...TEST_DEFAULTS, ...overrides };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const builder = Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(options.logs ?? discard);
    if (options.logger) builder.setLogger(options.logger);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      forceCloseConnections: true,
      bodyParser: false,
      logger: options.logger ?? ['error', 'warn'],
    });
    if (options.logs) app.useLogger(app.get(AppLogger));
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
