import { HttpStatus } from '@nestjs/common';
import type { Application, RequestHandler } from 'express';
import { ApiError } from '../errors/api-error';
import { quotable } from '../logging/client-text';
import { routeKey } from '../../security/routes';

/** What this reads of a layer of express' router: a route's methods, and the router's own path matching. */
interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

/**
 * 405 with `Allow` for a request whose path some route serves, but not with its method (`GET
 * /v1/chat/completions`, `DELETE /v1/models`); a path no route serves goes on to the 404. The
 * table is the router's own (every controller route, matched as express matches it), read at the
 * first request, when Nest has registered them all. Paths under a `hidden` prefix are left to their
 * routes, which answer as if absent.
 */
export function methodNotAllowedMiddleware(app: Application, hidden: readonly string[] = []): RequestHandler {
  let routes: RouteLayer[] | undefined;
  return (req, res, next) => {
    if (isUnder(req.path, hidden)) return next();
    routes ??= (app.router.stack as unknown as RouteLayer[]).filter((layer) => layer.route);
    let allowed: string[] | null;
    try {
      allowed = allowedMethods(routes, req.path);
    } catch {
      // A path the router cannot decode (bad percent-encoding): its own answer follows.
      return next();
    }
    if (allowed === null || allowed.length === 0 || allowed.includes(req.method)) return next();
    res.setHeader('allow', allowed.join(', '));
    return next(
      new ApiError(
        HttpStatus.METHOD_NOT_ALLOWED,
        `Method ${req.method} is not allowed for ${quotable(req.path)}; use ${allowed.join(' or ')}.`,
        { code: 'method_not_allowed' },
      ),
    );
  };
}

/** The methods the routes matching `path` answer, HEAD wherever GET is (express serves it); null when one takes any. */
function allowedMethods(routes: readonly RouteLayer[], path: string): string[] | null {
  const allowed = new Set<string>();
  for (const layer of routes) {
    if (!layer.match(path)) continue;
    for (const [method, on] of Object.entries(layer.route!.methods)) {
      if (!on) continue;
      if (method === '_all') return null;
      allowed.add(method.toUpperCase());
      if (method === 'get') allowed.add('HEAD');
    }
  }
  return [...allowed];
}

/** Whether `path` is one of `prefixes` or below one, compared as express routes (case-insensitive). */
function isUnder(path: string, prefixes: readonly string[]): boolean {
  const key = routeKey(path);
  return prefixes.some((prefix) => key === prefix || key.startsWith(`${prefix}/`));
}
