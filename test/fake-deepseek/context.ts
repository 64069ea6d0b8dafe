import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FaultQueue } from './faults';
import type { Generation, GenerationSpec } from './generation';
import type { PowAuthority } from './pow';
import { sendInvalidToken, sendMuted } from './http-responses';
import type { AccountRecord, FakeStore } from './store';
import type { FakeConfig, FakeEndpoint, ReplyHook } from './types';

/** What route handlers may use of the running fake. */
export interface FakeContext {
  readonly config: FakeConfig;
  readonly store: FakeStore;
  readonly pow: PowAuthority;
  readonly faults: FaultQueue;
  readonly replyFor: ReplyHook | undefined;
  startGeneration(spec: GenerationSpec, res: ServerResponse): void;
  findGeneration(sessionId: string, responseMessageId: number): Generation | undefined;
  /** The configured capture to replay, consumed by the caller. */
  takeReplay(): string | null;
}

export interface ApiRequest {
  endpoint: FakeEndpoint;
  token: string | undefined;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Set by a `model_unavailable` fault for this request. */
  modelUnavailable: boolean;
  /** upload_file only: the raw body (empty and `truncated` when over the size cap). */
  upload?: { body: Buffer; truncated: boolean };
}

export type RouteHandler = (ctx: FakeContext, req: ApiRequest, res: ServerResponse) => void;

/** `parent_message_id`/`message_id` as int or numeric string; undefined when malformed. */
export function parseMessageId(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined;
}

export function isMuted(mutedUntil: number | null): mutedUntil is number {
  return mutedUntil !== null && mutedUntil * 1000 > Date.now();
}

/** The caller's live account, or undefined after answering 40003 (and biz_code 5 when `unmuted`). */
export function authorize(
  ctx: FakeContext,
  req: ApiRequest,
  res: ServerResponse,
  unmuted = false,
): AccountRecord | undefined {
  const account = ctx.store.liveAccount(req.token);
  if (!account) {
    sendInvalidToken(res);
    return undefined;
  }
  if (unmuted && isMuted(account.mutedUntil)) {
    sendMuted(res, account.mutedUntil);
    return undefined;
  }
  return account;
}
