import type { Request } from 'express';

/** Anthropic's routes: the Messages API at the root, and everything under `/anthropic`. */
const ANTHROPIC_ROOTS = ['/v1/messages', '/anthropic'];

/**
 * Whether the caller speaks Anthropic's API: a Messages route, or any request that carries the
 * `anthropic-version` header (e.g. `GET /v1/models` from an Anthropic SDK). Its errors take that shape.
 */
export function wantsAnthropicShape(req: Request): boolean {
  // Express matches routes case-insensitively.
  const path = req.path.toLowerCase();
  const route = ANTHROPIC_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));
  return route || req.headers['anthropic-version'] !== undefined;
}
