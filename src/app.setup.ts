import type { NestExpressApplication } from '@nestjs/platform-express';
import { appConfig, AppConfig } from './config/app.config';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { accessLogMiddleware } from './common/logging/access-log.middleware';
import { MetricsService } from './common/metrics/metrics.service';

/** Transport-level setup shared by main.ts and the e2e tests, so both run the same server. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(app.get(MetricsService), config.logFormat));
  app.useBodyParser('json', { limit: config.bodyLimit });
  return app;
}
