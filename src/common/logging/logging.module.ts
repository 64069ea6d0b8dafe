import { Global, Module } from '@nestjs/common';
import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import { appConfig, type AppConfig } from '../../config/app.config';
import { AppLogger } from './app-logger';
import { logDestinationFor } from './log-destination';
import { LOG_DESTINATION, ROOT_LOGGER } from './logging.constants';
import { pinoOptionsFor } from './pino-options';

/**
 * The app's pino logger (ROOT_LOGGER) and its Nest logger (AppLogger, which main.ts installs). The
 * per-request child loggers are `req.log` (request-logger.ts).
 */
@Global()
@Module({
  providers: [
    {
      provide: LOG_DESTINATION,
      inject: [appConfig.KEY],
      useFactory: (config: AppConfig): DestinationStream => logDestinationFor(config.logFormat),
    },
    {
      provide: ROOT_LOGGER,
      inject: [appConfig.KEY, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream): Pino =>
        pino(pinoOptionsFor(config), destination),
    },
    { provide: AppLogger, inject: [ROOT_LOGGER], useFactory: (root: Pino) => new AppLogger(root) },
  ],
  exports: [ROOT_LOGGER, AppLogger],
})
export class LoggingModule {}
