import type { Response } from 'express';
import { identity, type MonoTypeOperatorFunction } from 'rxjs';
import { UpstreamError } from '../deepseek/upstream-error';
import { type StageFactory, stageOperator } from './events/stage-operator';

/** Token counts of a finished answer (the chat layer's `ChatUsage` fits). */
export interface TraceUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
  totalTokens: number;
}

/**
 * What the chat path tells the access log and the metrics about one request. It holds ids and counts
 * only: never a token, key, prompt or completion.
 */
export class RequestTrace {
  model?: string;
  stream?: boolean;
  /** The account's hash id (`Account.id`), or `key:<id>` for an official API key. */
  account?: string;
  /** `performance.now()` when the upstream answer started. */
  answerStartedAt?: number;
  usage?: TraceUsage;
  /** Kind of the upstream error that ended the answer after it started. */
  upstreamError?: string;
  /** Name of another error that ended it (ShutdownError…). */
  error?: string;
  /** `expert->default` when the requested DeepSeek mode was unavailable and the default one answered. */
  modelFallback?: string;
  /** Who answered: the web accounts or the official API (`x-upstream`). */
  upstream?: 'web' | 'api';
  /** Why a `web-then-api` request went to the API (`accounts_muted`, `accounts_busy`…). */
  fallbackReason?: string;

  planned(chat: { model: string; stream: boolean }): void {
    this.model = chat.model;
    this.stream = chat.stream;
  }

  answerStarted(accountId: string): void {
    this.account = accountId;
    this.answerStartedAt = performance.now();
  }

  failed(error: unknown): void {
    if (error instanceof UpstreamError) this.upstreamError = error.kind;
    else if (error instanceof Error) this.error = error.name;
  }
}

export function traceOf(res: Response): RequestTrace | undefined {
  const trace: unknown = res.locals.trace;
  return trace instanceof RequestTrace ? trace : undefined;
}

/** The request's trace on `res.locals.trace` (where the access log reads it), created on first use. */
export function traceOn(res: Response): RequestTrace {
  const trace = traceOf(res) ?? new RequestTrace();
  res.locals.trace = trace;
  return trace;
}

/** Records the usage of the `finish` event and the error that ends the answer; nothing else per event. */
export function traceStage<T extends { type: string; usage?: TraceUsage }>(trace: RequestTrace): StageFactory<T, T> {
  return () => ({
    next: (event, emit) => {
      if (event.type === 'finish') trace.usage = event.usage;
      emit(event);
    },
    complete: () => undefined,
    error: (error) => trace.failed(error),
  });
}

export function traceAnswer<T extends { type: string; usage?: TraceUsage }>(
  trace: RequestTrace | undefined,
): MonoTypeOperatorFunction<T> {
  return trace ? stageOperator(traceStage<T>(trace)) : identity;
}
