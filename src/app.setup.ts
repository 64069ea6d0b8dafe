import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { appConfig, AppConfig } from './config/app.config';
import { securityConfig, type SecurityConfig } from './config/security.config';
import { methodNotAllowedMiddleware } from './common/http/method-not-allowed.middleware';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { accessLogMiddleware } from './common/logging/access-log.middleware';
import { ROOT_LOGGER } from './common/logging/logging.constants';
import { exposeRequestLogger } from './common/logging/request-logger';
import { MetricsService } from './common/metrics/metrics.service';
import { allowedHostsMiddleware } from './security/allowed-hosts.middleware';
import { corsOnOpenAiApi, corsOptionsFor, corsOriginsFor } from './security/cors-policy';
import { credentialsPrecheckMiddleware } from './security/credentials-precheck.middleware';
import { jsonBodyMiddleware } from './security/json-body.middleware';
import {
  ANTHROPIC_COUNT_TOKENS_PATHS,
  ANTHROPIC_MESSAGES_PATHS,
  ANTHROPIC_PATH_PREFIXES,
  CHAT_COMPLETIONS_PATH,
  CHAT_PATH_PREFIX,
  RESPONSES_PATH,
  TOKEN_CHECK_PATH,
} from './security/routes';
import { CredentialsService } from './tokens/auth/credentials.service';

/**
 * Transport-level setup shared by main.ts and the e2e tests, so both run the same server. Create the
 * app with `bodyParser: false`: the JSON parser here is the only one. Order matters: cheap header
 * checks first, the body last, so nothing is read for a request that is refused anyway.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  const security = app.get<SecurityConfig>(securityConfig.KEY);
  const credentials = app.get(CredentialsService);
  app.disable('x-powered-by');
  app.set('trust proxy', security.trustProxy);
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(app.get(MetricsService), config.logFormat));
  exposeRequestLogger(app.getHttpAdapter().getInstance(), app.get<Logger>(ROOT_LOGGER));
  if (security.allowedHosts) app.use(allowedHostsMiddleware(security.allowedHosts));
  const corsOrigins = corsOriginsFor(credentials.mode, security.corsOrigins);
  if (corsOrigins) app.enableCors(corsOnOpenAiApi(corsOptionsFor(corsOrigins)));
  // Without ADMIN_TOKEN the admin routes answer 404 to every method, as if absent: no 405 may tell otherwise.
  app.use(methodNotAllowedMiddleware(app.getHttpAdapter().getInstance(), config.adminToken ? [] : ['/admin']));
  app.use([CHAT_PATH_PREFIX, RESPONSES_PATH, ...ANTHROPIC_PATH_PREFIXES], credentialsPrecheckMiddleware(credentials));
  const anthropicPaths = [...ANTHROPIC_MESSAGES_PATHS, ...ANTHROPIC_COUNT_TOKENS_PATHS];
  app.use(
    jsonBodyMiddleware({
      [CHAT_COMPLETIONS_PATH]: security.bodyLimits.chat,
      [RESPONSES_PATH]: security.bodyLimits.chat,
      ...Object.fromEntries(anthropicPaths.map((path) => [path, security.bodyLimits.chat])),
      [TOKEN_CHECK_PATH]: security.bodyLimits.tokenCheck,
    }),
  );
  return app;
}
