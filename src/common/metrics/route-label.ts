import type { Request } from 'express';

const labels = new WeakMap<Request, string>();

/**
 * For a middleware that answers before routing (a body too large or not JSON): the route pattern
 * the request was sent to, so the access log and the metrics count it under its route.
 */
export function labelRoute(req: Request, route: string): void {
  labels.set(req, route);
}

/** The route pattern that took the request, else the one a middleware named, else `unmatched`. */
export function routeLabelOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`;
  return labels.get(req) ?? 'unmatched';
}
