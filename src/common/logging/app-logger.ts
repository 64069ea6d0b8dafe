import { Logger, PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

/** Nest's module-by-module boot lines: useful when debugging a boot, noise on every other one. */
const BOOT_CHATTER: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * nestjs-pino's PinoLogger bound to one root logger. The stock one keeps the first root it sees for
 * the whole process (tests run several apps, each with its own log destination, in one), and reads
 * a request logger from LoggerModule's middleware, which we do not use (request-logger.ts).
 */
class RootPinoLogger extends PinoLogger {
  constructor(private readonly root: Pino) {
    super({ pinoHttp: { logger: root } });
  }

  override get logger(): Pino {
    return this.root;
  }
}

/** The app's Nest logger: every `Logger` call as a pino line, Nest's boot chatter at debug level. */
export class AppLogger extends Logger {
  constructor(root: Pino) {
    super(new RootPinoLogger(root), {});
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && BOOT_CHATTER.has(context)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
