import type { Request, Response } from 'express';

export class ClientGoneError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('the client closed the connection');
  }
}

/**
 * A controller that aborts when the client goes away before we finished answering, so upstream
 * work (queue wait, PoW, generation) stops and the account is released. Others (shutdown) may
 * abort it too, with their own reason.
 */
export function requestAbortController(req: Request, res: Response): AbortController {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished && !controller.signal.aborted) controller.abort(new ClientGoneError());
  };
  res.once('close', onClose);
  req.once('aborted', onClose);
  return controller;
}
