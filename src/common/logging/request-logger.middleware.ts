import type { Request, RequestHandler } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdOf } from '../http/request-id.middleware';

const requestLoggers = new AsyncLocalStorage<Pino>();

/** pino-http's logger of the request being handled (it carries the request id); undefined outside one. */
export function currentRequestLogger(): Pino | undefined {
  return requestLoggers.getStore();
}

/**
 * pino-http's `req.log` (a child of the app's root logger bound to our request id) for every request,
 * kept as the current request logger while the request is handled: each line logged for it then
 * carries `request_id`. The access log middleware writes the one line per request, so pino-http's
 * own request logging is off. An `app.use()` middleware, after the request-id one, and not a Nest
 * module middleware: those are express routes, and would give a 404 a route pattern.
 */
export function requestLoggerMiddleware(root: Pino): RequestHandler {
  const attach = pinoHttp({
    logger: root,
    autoLogging: false,
    quietReqLogger: true,
    genReqId: (req) => requestIdOf(req as Request),
    customAttributeKeys: { reqId: 'request_id' },
  });
  return (req, res, next) => attach(req, res, () => requestLoggers.run(req.log, next));
}
