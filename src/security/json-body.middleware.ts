import { HttpStatus } from '@nestjs/common';
import { json, type RequestHandler } from 'express';
import { ApiError } from '../common/errors/api-error';
import { checkJsonShape } from '../common/http/json-shape';
import { labelRoute } from '../common/metrics/route-label';
import { routeKey } from './routes';

/** Methods whose body a JSON route reads. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

function isJsonContentType(header: string | undefined): boolean {
  return header?.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

const notJson = (): ApiError =>
  new ApiError(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'The request body must be JSON: send it with the header `Content-Type: application/json`.',
    { code: 'unsupported_media_type' },
  );

/**
 * The only body parser: JSON, on the routes listed with their limits (413 above), its shape bounded
 * before parsing (json-shape.ts, 400 above). A POST to one of them without `Content-Type:
 * application/json` is refused with 415, so a cross-site form post (urlencoded, multipart,
 * text/plain) never runs. No other route reads a body. A body refused here is counted under its route.
 */
export function jsonBodyMiddleware(limitsByPath: Readonly<Record<string, number>>): RequestHandler {
  const parsers = new Map(
    Object.entries(limitsByPath).map(([path, limit]) => [
      routeKey(path),
      { route: path, parse: json({ limit, strict: true, verify: (_req, _res, body) => checkJsonShape(body) }) },
    ]),
  );
  return (req, res, next) => {
    const parser = parsers.get(routeKey(req.path));
    if (!parser || !BODY_METHODS.has(req.method)) return next();
    labelRoute(req, parser.route);
    if (!isJsonContentType(req.headers['content-type'])) return next(notJson());
    return parser.parse(req, res, next);
  };
}
