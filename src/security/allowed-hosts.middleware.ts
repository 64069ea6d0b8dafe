import { HttpStatus } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { ApiError } from '../common/errors/api-error';
import { type HostEntry, parseHostEntry } from '../config/security-syntax';
import { PROBE_PATHS, routeKey } from './routes';

/** Whether a `Host` header names one of `allowed` (an entry without a port allows any port). */
export function isAllowedHost(header: string | undefined, allowed: readonly HostEntry[]): boolean {
  const host = header === undefined ? null : parseHostEntry(header);
  if (!host) return false;
  return allowed.some((entry) => entry.hostname === host.hostname && (entry.port === null || entry.port === host.port));
}

/**
 * ALLOWED_HOSTS: a request for any other host name is refused with 421. Against DNS rebinding, where
 * a web page re-points its own domain at 127.0.0.1 and then reads this server as same-origin: the
 * browser still sends the page's domain as `Host`. Probes are exempt (health checks use an IP).
 */
export function allowedHostsMiddleware(allowed: readonly HostEntry[]): RequestHandler {
  return (req, _res, next) => {
    if (PROBE_PATHS.has(routeKey(req.path)) || isAllowedHost(req.headers.host, allowed)) return next();
    return next(
      new ApiError(HttpStatus.MISDIRECTED, 'This server does not answer requests for that host name.', {
        code: 'host_not_allowed',
      }),
    );
  };
}
