import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { Request } from 'express';
import type { CorsOrigins } from '../config/security-syntax';
import type { CredentialsMode } from '../tokens/auth/credentials.service';
import { OPENAI_API_PREFIX, routeKey } from './routes';

/**
 * Which browser origins may call the API. Explicit CORS_ORIGINS wins. Otherwise any origin, when
 * every caller must bring its own credential (direct mode, or managed mode's API_KEYS): a page gets
 * nothing it could not get with that credential anyway. Open mode gets none: there the server's
 * own accounts answer whoever asks, so any web page could spend them through its visitors.
 */
export function corsOriginsFor(mode: CredentialsMode, configured: CorsOrigins | null): CorsOrigins | null {
  if (configured !== null) return configured;
  return mode === 'open' ? null : '*';
}

export function corsOptionsFor(origins: CorsOrigins): CorsOptions {
  return {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'POST'],
    // Left unset, the headers a preflight asks for are allowed (Authorization, x-api-key, content-type,
    // and the x-stainless-* headers the OpenAI SDKs send): the origin check is the gate.
    allowedHeaders: undefined,
    exposedHeaders: ['retry-after', 'retry-after-ms', 'x-request-id', 'x-should-retry'],
    // Bearer credentials only: no cookie is ever honoured, so none may be sent.
    credentials: false,
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
}

/** For `app.enableCors`: the options on `/v1/*` (preflights there answered 204), nothing elsewhere. */
export function corsOnOpenAiApi(options: CorsOptions): CorsOptionsDelegate<Request> {
  const apiPrefix = `${OPENAI_API_PREFIX}/`;
  return (req, callback) => {
    const path = routeKey(req.path);
    callback(null, path === OPENAI_API_PREFIX || path.startsWith(apiPrefix) ? options : { origin: false });
  };
}
