import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildAnswer, defaultReply } from './answer';
import { ApiError, FaultQueue, sendError, sendJson } from './errors';
import { DEFAULT_MODELS, modelList, thinks } from './models';
import { keepAliveFor, sendEventStreamHeaders, sleep, streamAnswer, type CompletionIds } from './stream-writer';
import { PrefixCache, promptTokens, usageOf } from './usage';
import { parseChat, parseJsonBody } from './validate';
import type {
  FakeOfficialConfig,
  FakeOfficialOptions,
  FakeOfficialState,
  FaultSpec,
  KeyStats,
  QueuedFault,
  RecordedRequest,
} from './types';
import { listenOn } from '../utils/http/listen';

export interface FakeOfficialApi {
  /** `http://127.0.0.1:<port>`, no trailing slash: the SDK's `baseURL`. */
  readonly url: string;
  readonly port: number;
  readonly config: Readonly<FakeOfficialConfig>;
  configure(patch: Partial<FakeOfficialConfig>): Readonly<FakeOfficialConfig>;
  addFault(...faults: FaultSpec[]): QueuedFault[];
  setBalance(key: string, amount: number): void;
  /** The id a key has in the requests log and `state().keys[key].id`. */
  keyId(key: string): string;
  state(): FakeOfficialState;
  requests(): RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** Back to the start options: no faults, counters, requests, cache; start balances. */
  reset(): void;
  /** Resolves with the state once `predicate` holds (polled); rejects after `timeoutMs`. */
  waitFor(predicate: (state: FakeOfficialState) => boolean, timeoutMs?: number): Promise<FakeOfficialState>;
  close(): Promise<void>;
}

export const DEFAULT_CONFIG: FakeOfficialConfig = {
  models: [...DEFAULT_MODELS],
  tokenDelayMs: 0,
  queueDelayMs: 0,
  keepAliveMs: 100,
  answerPieces: 0,
  replyFor: null,
};

const SYSTEM_FINGERPRINT = 'fp_fake0000_prod0000';
const DEFAULT_BALANCE = 10;
const DEFAULT_RETRY_AFTER_SEC = 1;
const DEFAULT_CUT_AFTER = 2;

/** Starts the fake official DeepSeek API (plain node:http) on 127.0.0.1, port 0 unless told otherwise. */
export async function startFakeOfficialApi(options: FakeOfficialOptions = {}): Promise<FakeOfficialApi> {
  const fake = new FakeOfficialApiServer(options);
  await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return fake;
}

class FakeOfficialApiServer implements FakeOfficialApi {
  url = '';
  port = 0;
  config: FakeOfficialConfig;
  private readonly server: Server;
  private readonly faults = new FaultQueue();
  private readonly cache = new PrefixCache();
  private keys = new Map<string, KeyStats>();
  private log: RecordedRequest[] = [];

  constructor(private readonly options: FakeOfficialOptions) {
    this.config = this.initialConfig();
    this.resetKeys();
    this.server = createServer({ requestTimeout: 0 }, (req, res) => this.handle(req, res));
  }

  async listen(port: number, host: string): Promise<void> {
    ({ port: this.port, url: this.url } = await listenOn(this.server, port, host));
  }

  configure(patch: Partial<FakeOfficialConfig>): Readonly<FakeOfficialConfig> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.config = { ...this.config, ...defined };
    return this.config;
  }

  addFault(...faults: FaultSpec[]): QueuedFault[] {
    return faults.map((fault) => this.faults.add(fault));
  }

  setBalance(key: string, amount: number): void {
    this.stats(key).balance = amount;
  }

  keyId(key: string): string {
    const index = this.options.keys?.indexOf(key) ?? -1;
    return index >= 0 ? `key${index}` : `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  }

  state(): FakeOfficialState {
    const keys = Object.fromEntries([...this.keys].map(([key, stats]) => [key, { ...stats }]));
    return { keys, faults: this.faults.view(), requestCount: this.log.length };
  }

  requests(): RecordedRequest[] {
    return [...this.log];
  }

  lastRequest(): RecordedRequest | undefined {
    return this.log.at(-1);
  }

  reset(): void {
    this.config = this.initialConfig();
    this.faults.clear();
    this.cache.clear();
    this.log = [];
    this.resetKeys();
  }

  async waitFor(predicate: (state: FakeOfficialState) => boolean, timeoutMs = 5000): Promise<FakeOfficialState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.state();
      if (predicate(state)) return state;
      if (Date.now() > deadline) throw new Error(`fake official API: condition not met within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private initialConfig(): FakeOfficialConfig {
    const defined = Object.fromEntries(
      Object.keys(DEFAULT_CONFIG).flatMap((name) => {
        const value = this.options[name as keyof FakeOfficialConfig];
        return value === undefined ? [] : [[name, value]];
      }),
    );
    return { ...DEFAULT_CONFIG, ...defined };
  }

  private resetKeys(): void {
    this.keys = new Map();
    for (const key of this.options.keys ?? []) this.stats(key);
  }

  private stats(key: string): KeyStats {
    let stats = this.keys.get(key);
    if (!stats) {
      const balance = this.options.balance?.[key] ?? this.options.defaultBalance ?? DEFAULT_BALANCE;
      stats = {
        id: this.keyId(key),
        requests: 0,
        inFlight: 0,
        maxInFlight: 0,
        completed: 0,
        aborted: 0,
        cut: 0,
        balance,
      };
      this.keys.set(key, stats);
    }
    return stats;
  }

  private accepts(key: string | undefined): key is string {
    if (!key) return false;
    return this.options.keys === undefined || this.options.keys.includes(key);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch((error: unknown) => {
      if (error instanceof ApiError && !res.headersSent) sendError(res, error.status, error.message);
      else if (res.headersSent) res.destroy();
      else sendError(res, 500, error instanceof Error ? error.message : String(error));
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const key = bearerToken(req.headers.authorization);
    this.log.push({
      keyId: key === undefined ? null : this.keyId(key),
      method: req.method ?? 'GET',
      path,
      body: raw.length === 0 ? undefined : tryJson(raw),
      at: Date.now(),
    });
    if (!this.accepts(key)) return sendError(res, 401);
    const stats = this.stats(key);
    stats.requests++;
    const route = `${req.method} ${path.replace(/^\/v1(?=\/)/, '')}`;
    if (route === 'GET /models') return sendJson(res, 200, modelList(this.config.models));
    if (route === 'GET /user/balance') return sendJson(res, 200, balanceBody(stats.balance));
    if (route === 'POST /chat/completions') return this.chat(res, key, stats, raw);
    sendError(res, 404);
  }

  private async chat(res: ServerResponse, key: string, stats: KeyStats, raw: string): Promise<void> {
    if (stats.balance <= 0) return sendError(res, 402);
    const body = parseJsonBody(raw);
    const streaming = (body as { stream?: unknown } | null)?.stream === true;
    const fault = this.faults.take(key, streaming);
    if (fault && !fault.midStream) {
      const retryAfter = String(fault.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC);
      return sendError(res, fault.status, fault.message, fault.status === 429 ? { 'retry-after': retryAfter } : {});
    }
    const chat = parseChat(body);
    if (!this.config.models.includes(chat.model)) throw new ApiError(400, 'Model Not Exist');

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let cut = false;
    res.on('close', () => {
      if (!res.writableFinished && !cut) stats.aborted++;
    });
    try {
      const thinking = thinks(chat.model, (body as Record<string, unknown>).thinking);
      const fallback = defaultReply(chat, this.config.answerPieces);
      const scripted = await this.config.replyFor?.({
        model: chat.model,
        messages: chat.messages,
        stream: chat.stream,
        thinking,
        body: body as Record<string, unknown>,
        keyId: stats.id,
      });
      const reply = scripted ? { reasoning: fallback.reasoning, ...scripted } : fallback;
      const answer = buildAnswer(chat, reply, thinking);
      const prompt = promptTokens(chat.messages);
      const hit = this.cache.hitAndRemember(stats.id, prompt);
      const usage = usageOf(prompt.length, hit, answer.completionTokens, answer.reasoning?.length ?? 0);
      const ids: CompletionIds = {
        id: randomUUID(),
        created: Math.floor(Date.now() / 1000),
        model: chat.model,
        system_fingerprint: SYSTEM_FINGERPRINT,
      };
      const { queueDelayMs, keepAliveMs, tokenDelayMs } = this.config;
      if (chat.stream) {
        if (queueDelayMs > 0) {
          sendEventStreamHeaders(res);
          await keepAliveFor(res, queueDelayMs, keepAliveMs, ': keep-alive\n\n');
        }
        const cutAfter = fault?.midStream ? (fault.afterChunks ?? DEFAULT_CUT_AFTER) : null;
        const end = await streamAnswer(res, ids, answer, usage, {
          thinking,
          includeUsage: chat.includeUsage,
          tokenDelayMs,
          cutAfter,
          onCut: () => (cut = true),
        });
        if (end === 'cut') stats.cut++;
        else if (end === 'done') stats.completed++;
        return;
      }
      const message = {
        role: 'assistant',
        content: answer.content.length === 0 && answer.toolCalls.length > 0 ? null : answer.content.join(''),
        ...(answer.reasoning ? { reasoning_content: answer.reasoning.join('') } : {}),
        ...(answer.toolCalls.length > 0
          ? {
              tool_calls: answer.toolCalls.map((c) => ({
                id: c.id,
                type: 'function',
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
      const completion = {
        id: ids.id,
        object: 'chat.completion',
        created: ids.created,
        model: ids.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
        usage,
        system_fingerprint: ids.system_fingerprint,
      };
      const waitMs = queueDelayMs + tokenDelayMs * answer.completionTokens;
      if (waitMs <= 0) sendJson(res, 200, completion);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        await keepAliveFor(res, waitMs, keepAliveMs, '\n');
        if (!res.destroyed) res.end(JSON.stringify(completion));
      }
      if (res.writableFinished || res.writableEnded) stats.completed++;
    } finally {
      stats.inFlight--;
    }
  }
}

function balanceBody(balance: number): object {
  const amount = balance.toFixed(2);
  return {
    is_available: balance > 0,
    balance_infos: [{ currency: 'CNY', total_balance: amount, granted_balance: '0.00', topped_up_balance: amount }],
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match ? match[1].trim() : undefined;
}

function tryJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
