import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { LogFormat } from '../../config/app.config';
import { requestIdOf } from '../http/request-id.middleware';
import type { FinishedRequest, MetricsService } from '../metrics/metrics.service';
import { routeLabelOf } from '../metrics/route-label';
import { clip, MAX_LOGGED_PATH_LENGTH, printable } from './client-text';
import { traceOf } from '../../chat/chat-trace';

/** Probes, scrapes and the console's polling: logged at debug level, so polling does not drown the log. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/ping', '/metrics', '/admin/status']);
/** nginx's code for a client that closed the connection before the response started. */
const CLIENT_CLOSED = 499;
/** The model name is the client's free text. */
const MAX_MODEL_LENGTH = 100;

/** One access log entry; the JSON format writes its fields on the line. Ids and counts only. */
export interface AccessEntry {
  request_id: string;
  method: string;
  /** The route pattern; `unmatched` when no route took the request (404, or refused before routing: host, credential). */
  route: string;
  path: string;
  status: number;
  duration_ms: number;
  model?: string;
  stream?: boolean;
  /** The account's hash id (`key:<id>` for an official API key), never its token or key. */
  account?: string;
  /** Who answered: `web` or `api`. */
  upstream?: 'web' | 'api';
  /** Why a `web-then-api` request went to the official API. */
  fallback?: string;
  ttfb_ms?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  reasoning_tokens?: number;
  total_tokens?: number;
  upstream_error?: string;
  error?: string;
  /** The client went away before the response ended. */
  client_closed?: true;
}

/**
 * One access line per request when its response ends or its connection closes, and the per-request
 * metrics. Register it right after the request-id middleware.
 */
export function accessLogMiddleware(
  metrics: MetricsService | undefined,
  format: LogFormat,
): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('AccessLog');
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('close', () => {
      const endedAt = performance.now();
      const entry = accessEntry(req, res, startedAt, endedAt);
      metrics?.requestFinished(toFinishedRequest(entry, res, startedAt, endedAt));
      const level = levelOf(entry);
      if (format === 'json') logger[level](entry, 'request completed');
      else logger[level](formatAccessLine(entry));
    });
    next();
  };
}

function levelOf(entry: AccessEntry): 'debug' | 'warn' | 'log' {
  if (QUIET_ROUTES.has(entry.route)) return 'debug';
  return entry.status >= 500 || entry.upstream_error ? 'warn' : 'log';
}

export function accessEntry(req: Request, res: Response, startedAt: number, endedAt: number): AccessEntry {
  const closed = !res.writableFinished;
  const entry: AccessEntry = {
    request_id: requestIdOf(req),
    method: req.method,
    route: routeLabelOf(req),
    path: clip(req.path, MAX_LOGGED_PATH_LENGTH),
    status: closed && !res.headersSent ? CLIENT_CLOSED : res.statusCode,
    duration_ms: Math.round(endedAt - startedAt),
  };
  const trace = traceOf(res);
  if (trace) {
    entry.model = trace.model === undefined ? undefined : clip(trace.model, MAX_MODEL_LENGTH);
    entry.stream = trace.stream;
    entry.account = trace.account;
    entry.upstream = trace.upstream;
    entry.fallback = trace.fallbackReason;
    if (trace.answerStartedAt !== undefined) entry.ttfb_ms = Math.round(trace.answerStartedAt - startedAt);
    if (trace.usage) {
      entry.prompt_tokens = trace.usage.promptTokens;
      entry.completion_tokens = trace.usage.completionTokens;
      entry.reasoning_tokens = trace.usage.reasoningTokens;
      entry.total_tokens = trace.usage.totalTokens;
    }
    entry.upstream_error = trace.upstreamError;
    entry.error = trace.error;
  }
  if (closed) entry.client_closed = true;
  return entry;
}

/** The pretty format: `POST /v1/chat/completions 200 812ms req=… model=… stream=true account=… ttfb=…ms tokens=12/34`. */
export function formatAccessLine(entry: AccessEntry): string {
  const parts = [entry.method, printable(entry.path), String(entry.status), `${entry.duration_ms}ms`];
  parts.push(`req=${entry.request_id}`);
  if (entry.model !== undefined) parts.push(`model=${printable(entry.model)}`);
  if (entry.stream !== undefined) parts.push(`stream=${entry.stream}`);
  if (entry.account !== undefined) parts.push(`account=${entry.account}`);
  if (entry.upstream !== undefined) parts.push(`upstream=${entry.upstream}`);
  if (entry.fallback !== undefined) parts.push(`fallback=${entry.fallback}`);
  if (entry.ttfb_ms !== undefined) parts.push(`ttfb=${entry.ttfb_ms}ms`);
  if (entry.total_tokens !== undefined) parts.push(`tokens=${entry.prompt_tokens}/${entry.completion_tokens}`);
  if (entry.upstream_error !== undefined) parts.push(`upstream_error=${entry.upstream_error}`);
  if (entry.error !== undefined) parts.push(`error=${entry.error}`);
  if (entry.client_closed) parts.push('client_closed');
  return parts.join(' ');
}

function toFinishedRequest(entry: AccessEntry, res: Response, startedAt: number, endedAt: number): FinishedRequest {
  const answerStartedAt = traceOf(res)?.answerStartedAt;
  const answered = answerStartedAt !== undefined;
  return {
    method: entry.method,
    route: entry.route,
    status: entry.status,
    durationMs: endedAt - startedAt,
    model: entry.model,
    stream: entry.stream,
    ttfbMs: answered ? answerStartedAt - startedAt : undefined,
    streamMs: answered && entry.stream ? endedAt - answerStartedAt : undefined,
    promptTokens: entry.prompt_tokens,
    completionTokens: entry.completion_tokens,
    upstreamError: entry.upstream_error,
  };
}
