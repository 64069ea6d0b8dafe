import type { Request } from 'express';
import { requestIdOf } from '../http/request-id.middleware';

/** Which request an error belongs to: for the 404 message, and the id a 500 shares with its log line. */
export interface RequestOrigin {
  id: string;
  method: string;
  path: string;
}

export function requestOrigin(req: Request): RequestOrigin {
  return { id: requestIdOf(req), method: req.method, path: req.path };
}
