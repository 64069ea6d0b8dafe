import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** Our id for a request: the caller's `x-request-id` when it is sane, else a fresh one. */
export function requestIdOf(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id =
    typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : `req_${randomBytes(12).toString('hex')}`;
  (req as Request & { id?: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
