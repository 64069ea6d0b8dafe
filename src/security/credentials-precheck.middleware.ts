import type { RequestHandler } from 'express';
import type { CredentialsService } from '../tokens/auth/credentials.service';

/**
 * Refuses a request without a usable credential (401) from its headers alone, before its body is
 * read: an unauthenticated client cannot make the server buffer or parse megabytes. The route's
 * AccountsGuard still resolves the accounts afterwards.
 */
export function credentialsPrecheckMiddleware(credentials: CredentialsService): RequestHandler {
  return (req, _res, next) => {
    try {
      credentials.precheck(req.headers);
    } catch (error) {
      return next(error);
    }
    return next();
  };
}
