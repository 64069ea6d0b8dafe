import type { Express, Request } from 'express';
import type { Logger as Pino } from 'pino';
import { requestIdOf } from '../http/request-id.middleware';

declare module 'express-serve-static-core' {
  interface Request {
    /** A child of the app's root logger bound to the request id (`request_id`), made on first use. */
    log: Pino;
  }
}

/**
 * `req.log` on every request of `app`, for code that logs with the request at hand: a getter on the app's
 * request prototype that makes the child logger the first time it is read. pino-http's middleware made two
 * child loggers for every request up front (about 2 KB of every open stream) that nothing read.
 *
 * No request context for the other log lines: AsyncLocalStorage raised the memory each held stream
 * keeps past the bound of the slow-reader e2e. A 5xx line names its request id itself.
 */
export function exposeRequestLogger(app: Express, root: Pino): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Pino {
      const log = root.child({ request_id: requestIdOf(this) });
      Object.defineProperty(this, 'log', { value: log, configurable: true, writable: true });
      return log;
    },
  });
}
