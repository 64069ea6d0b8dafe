import { Inject, Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRIC_PREFIX, METRICS_OPTIONS } from './metrics.constants';
import { MinuteHistory } from './minute-history';

export interface MetricsOptions {
  /** Model names that get their own `model` label value; any other name is counted as `other`. */
  knownModels?: readonly string[];
}

/**
 * What the pool gauges show (`TokenPoolService.snapshot()`). Each known account is counted once: invalid,
 * banned, muted, busy (a lease held here), cooling, quota (waiting for the operator's quota) or idle;
 * `waiting` counts queued requests, `leases` the leases held in this process.
 */
export interface PoolCounts {
  idle: number;
  busy: number;
  cooling: number;
  quota: number;
  muted: number;
  banned: number;
  invalid: number;
  waiting: number;
  leases: number;
}

/** One of the server's own accounts (DEEPSEEK_TOKENS: a bounded set chosen by the operator, never a client's token). */
export interface PoolAccountState {
  id: string;
  state: PoolAccountStateName;
}

export const POOL_ACCOUNT_STATES = ['idle', 'generating', 'quota', 'cooling', 'muted', 'banned', 'invalid'] as const;
export type PoolAccountStateName = (typeof POOL_ACCOUNT_STATES)[number];

/** One finished HTTP request, as the access log saw it. Durations in milliseconds. */
export interface FinishedRequest {
  method: string;
  /** The route pattern (`/v1/chat/completions`), never the raw URL. */
  route: string;
  status: number;
  durationMs: number;
  model?: string;
  stream?: boolean;
  /** Arrival until the upstream answer started (account, session, PoW, first upstream event). */
  ttfbMs?: number;
  /** Streams only: answer start until the response ended. */
  streamMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** Kind of an upstream error after the answer started. */
  upstreamError?: string;
}

/** `validation`: a token check (`users/current`) before any generation. */
export type UpstreamErrorPhase = 'validation' | 'preflight' | 'stream';

const POOL_STATES = ['idle', 'busy', 'cooling', 'quota', 'muted', 'banned', 'invalid'] as const;
const seconds = (ms: number) => ms / 1000;

/** The operator's own routes (probes, scrapes, the console and its polling): not traffic in the console's charts. */
const OPERATOR_ROUTES: ReadonlySet<string> = new Set(['/', '/healthz', '/readyz', '/ping', '/metrics']);
const isOperatorRoute = (route: string) =>
  OPERATOR_ROUTES.has(route) || route.startsWith('/admin') || route.startsWith('/console');

/**
 * The gateway's Prometheus series on a registry of its own (not prom-client's global one, so several
 * apps in one process do not collide). All observations are per request or per upstream call, never
 * per streamed chunk.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /**
   * The last hour per minute, fed below from the same observations as the Prometheus series, for the
   * console (`GET /admin/status`). In this process only: with several replicas each shows its own traffic.
   */
  readonly history = new MinuteHistory();
  private readonly knownModels: ReadonlySet<string>;
  private poolSource: (() => PoolCounts) | null = null;
  private apiKeysSource: (() => Record<string, number>) | null = null;
  private accountsSource: (() => PoolAccountState[]) | null = null;

  private readonly requests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: 'HTTP requests by route pattern, method, status, model and stream (model and stream are empty off the chat route).',
    labelNames: ['route', 'method', 'status', 'model', 'stream'] as const,
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time from the arrival of a request until its response ended.',
    labelNames: ['route', 'stream'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  private readonly ttfb = new Histogram({
    name: `${METRIC_PREFIX}chat_ttfb_seconds`,
    help: 'Time from the arrival of a chat request until the upstream answer started and its first frame was sent (account wait, session, PoW, upstream first event).',
    labelNames: ['model', 'stream'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60],
    registers: [this.registry],
  });
  private readonly streamDuration = new Histogram({
    name: `${METRIC_PREFIX}chat_stream_duration_seconds`,
    help: 'Time from the first frame of a streamed answer until its response ended.',
    labelNames: ['model'] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: `${METRIC_PREFIX}chat_tokens_total`,
    help: 'Tokens of finished chat answers as reported in their usage (prompt, completion).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly clientWriteTimeouts = new Counter({
    name: `${METRIC_PREFIX}client_write_timeouts_total`,
    help: 'Streams cut because the client read nothing for CLIENT_WRITE_TIMEOUT_MS (the upstream generation was stopped).',
    registers: [this.registry],
  });
  private readonly upstreamErrors = new Counter({
    name: `${METRIC_PREFIX}upstream_errors_total`,
    help: 'Upstream failures by kind; phase "preflight" before the answer started (each failover attempt counts), "stream" after.',
    labelNames: ['kind', 'phase'] as const,
    registers: [this.registry],
  });
  private readonly toolCalls = new Counter({
    name: `${METRIC_PREFIX}tool_calls_total`,
    help: 'Emulated tool calls returned to clients, by tool kind (function, custom).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly toolNotices = new Counter({
    name: `${METRIC_PREFIX}tool_notices_total`,
    help: 'What the tool-call stage repaired or left out (a normalised name, a dropped duplicate call…), by kind.',
    labelNames: ['notice'] as const,
    registers: [this.registry],
  });
  private readonly correctiveTurns = new Counter({
    name: `${METRIC_PREFIX}corrective_turns_total`,
    help: 'Corrective re-asks sent in the same upstream chat, by stage (tools, json) and reason.',
    labelNames: ['stage', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly conversationTurns = new Counter({
    name: `${METRIC_PREFIX}conversation_turns_total`,
    help: 'Native multi-turn (CONVERSATION_REUSE): turns that continued an upstream chat, started a new one, or fell back to a new one because the account holding theirs could not serve.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly upstreamAnswers = new Counter({
    name: `${METRIC_PREFIX}upstream_answers_total`,
    help: 'Answers started, by the upstream that gave them: "web" (DeepSeek web accounts) or "api" (the official API).',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });
  private readonly upstreamFallbacks = new Counter({
    name: `${METRIC_PREFIX}upstream_fallbacks_total`,
    help: 'UPSTREAM_MODE=web-then-api: requests sent to the official API because no web account could serve, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** The same counts as `upstream_answers_total`, readable at once for the admin views. */
  private readonly answersByUpstream = { web: 0, api: 0 };
  private readonly powSolve = new Histogram({
    name: `${METRIC_PREFIX}pow_solve_seconds`,
    help: 'Time to solve one proof-of-work challenge on the worker threads.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly queueWait = new Histogram({
    name: `${METRIC_PREFIX}queue_wait_seconds`,
    help: 'Time from asking the pool for an account until one was leased (requests that time out are counted as 429s instead).',
    buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor(@Optional() @Inject(METRICS_OPTIONS) options: MetricsOptions | null = null) {
    this.knownModels = new Set((options?.knownModels ?? []).map((model) => model.toLowerCase()));
    processRegistry();
    const pool = (): PoolCounts | null => this.poolSource?.() ?? null;
    new Gauge({
      name: `${METRIC_PREFIX}pool_accounts`,
      help: 'Known accounts by state: idle, busy (a generation runs), cooling (after busy/throttled), quota (operator quota), muted, banned, invalid.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const counts = pool();
        if (counts) for (const state of POOL_STATES) this.set({ state }, counts[state]);
      },
    });
    const accounts = (): PoolAccountState[] => this.accountsSource?.() ?? [];
    new Gauge({
      name: `${METRIC_PREFIX}account_state`,
      help: "The server's own accounts (DEEPSEEK_TOKENS) by id (see `npm run account-id`): 1 for the state each is in.",
      labelNames: ['account', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { id, state } of accounts()) {
          for (const name of POOL_ACCOUNT_STATES) this.set({ account: id, state: name }, name === state ? 1 : 0);
        }
      },
    });
    const apiKeys = (): Record<string, number> => this.apiKeysSource?.() ?? {};
    new Gauge({
      name: `${METRIC_PREFIX}api_keys`,
      help: 'Official API keys (DEEPSEEK_API_KEYS) by state: ready, cooling (after a 429), invalid (401), no_balance (402).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        for (const [state, count] of Object.entries(apiKeys())) this.set({ state }, count);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}pool_waiting_requests`,
      help: 'Requests waiting in the queue for a free account.',
      registers: [this.registry],
      collect() {
        const counts = pool();
        if (counts) this.set(counts.waiting);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}pool_leases`,
      help: 'Account leases held by this process (generations running).',
      registers: [this.registry],
      collect() {
        const counts = pool();
        if (counts) this.set(counts.leases);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The pool gauges read these at scrape time. */
  watchPool(source: () => PoolCounts, accounts?: () => PoolAccountState[]): void {
    this.poolSource = source;
    this.accountsSource = accounts ?? null;
  }

  /** The official API's key counts by state, read at scrape time. */
  watchApiKeys(source: () => Record<string, number>): void {
    this.apiKeysSource = source;
  }

  upstreamAnswer(upstream: 'web' | 'api'): void {
    this.upstreamAnswers.inc({ upstream });
    this.answersByUpstream[upstream]++;
  }

  upstreamFallback(reason: string): void {
    this.upstreamFallbacks.inc({ reason });
  }

  /** Answers started per upstream since this process started. */
  answersPerUpstream(): { web: number; api: number } {
    return { ...this.answersByUpstream };
  }

  requestFinished(request: FinishedRequest): void {
    const model = request.model === undefined ? '' : this.modelLabel(request.model);
    const stream = request.stream === undefined ? '' : String(request.stream);
    const { route } = request;
    this.requests.inc({ route, method: request.method, status: String(request.status), model, stream });
    this.requestDuration.observe({ route, stream }, seconds(request.durationMs));
    if (request.ttfbMs !== undefined) this.ttfb.observe({ model, stream }, seconds(request.ttfbMs));
    if (request.streamMs !== undefined) this.streamDuration.observe({ model }, seconds(request.streamMs));
    if (request.promptTokens !== undefined) this.tokens.inc({ type: 'prompt' }, request.promptTokens);
    if (request.completionTokens !== undefined) this.tokens.inc({ type: 'completion' }, request.completionTokens);
    if (request.upstreamError !== undefined) this.upstreamError(request.upstreamError, 'stream');
    if (!isOperatorRoute(route)) this.history.request(request.status, request.ttfbMs);
  }

  upstreamError(kind: string, phase: UpstreamErrorPhase): void {
    this.upstreamErrors.inc({ kind, phase });
    this.history.upstreamError(kind);
  }

  toolCall(kind: string): void {
    this.toolCalls.inc({ kind });
  }

  toolNotice(notice: string): void {
    this.toolNotices.inc({ notice });
  }

  correctiveTurn(stage: 'tools' | 'json', reason: string): void {
    this.correctiveTurns.inc({ stage, reason });
  }

  conversationTurn(outcome: 'continued' | 'new' | 'fallback'): void {
    this.conversationTurns.inc({ outcome });
  }

  clientWriteTimeout(): void {
    this.clientWriteTimeouts.inc();
  }

  observePowSolve(ms: number): void {
    this.powSolve.observe(seconds(ms));
  }

  observeQueueWait(ms: number): void {
    this.queueWait.observe(seconds(ms));
    this.history.queueWait(ms);
  }

  /** The exposition text: the gateway's series, then the process and Node.js ones (event-loop delay included). */
  async metrics(): Promise<string> {
    const [own, runtime] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own}\n${runtime}`;
  }

  private modelLabel(model: string): string {
    const lower = model.toLowerCase();
    return this.knownModels.has(lower) ? lower : 'other';
  }
}

let runtimeRegistry: Registry | null = null;

/**
 * Process and Node.js metrics (CPU, memory, handles, GC, event-loop delay) belong to the process, not to one
 * app, and prom-client cannot stop their collectors (a GC observer, an event-loop delay monitor): collected
 * once per process and shared by every MetricsService.
 */
function processRegistry(): Registry {
  if (!runtimeRegistry) {
    runtimeRegistry = new Registry();
    collectDefaultMetrics({ register: runtimeRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return runtimeRegistry;
}
