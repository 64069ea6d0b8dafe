import type { Request, RequestHandler } from 'express';
import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdOf } from '../http/request-id.middleware';

/**
 * pino-http's `req.log` for every request: a child of the app's root logger bound to our request id
 * (`request_id`), for code that logs with the request at hand. The access log middleware writes the
 * one line per request, so pino-http's own request logging is off. An `app.use()` middleware after
 * the request-id one, not a Nest module middleware: those are express routes, and would give a 404 a
 * route pattern.
 *
 * No request context for the other log lines: AsyncLocalStorage raised the memory each held stream
 * keeps past the bound of the slow-reader e2e. A 5xx line names its request id itself.
 */
export function requestLoggerMiddleware(root: Pino): RequestHandler {
  return pinoHttp({
    logger: root,
    autoLogging: false,
    quietReqLogger: true,
    genReqId: (req) => requestIdOf(req as Request),
    customAttributeKeys: { reqId: 'request_id' },
  });
}
