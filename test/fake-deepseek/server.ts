import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  clientSettings,
  createSession,
  createPowChallenge,
  deleteAllSessions,
  deleteSession,
  stopStream,
  usersCurrent,
} from './api-routes';
import { completion, continueMessage, traceId } from './chat-routes';
import { fetchFiles, forkFileTask, uploadFile } from './file-routes';
import { readBodyUpTo, uploadReadLimit } from './files';
import { isVersionBelow, VERSION_CHECKED_ENDPOINTS } from './client-version';
import { applyConfigPatch, DEFAULT_CONFIG, normalizeAccounts } from './config';
import type { ApiRequest, FakeContext, RouteHandler } from './context';
import { handleControl } from './control-api';
import { FaultQueue, numberParam } from './faults';
import { Generation, generationKey, type GenerationSpec } from './generation';
import {
  readBody,
  sendBanned,
  sendClientVersionTooLow,
  sendJson,
  sendSseHeaders,
  sendUnprocessable,
} from './http-responses';
import { PowAuthority } from './pow';
import { answerWithFault } from './request-faults';
import { buildState } from './state-view';
import { FakeStore } from './store';
import type {
  AccountOptions,
  FakeConfig,
  FakeConfigPatch,
  FakeEndpoint,
  FakeOptions,
  FakeState,
  FaultSpec,
  QueuedFault,
  ReplyHook,
} from './types';
import { listenOn } from '../utils/http/listen';

/** The fake upstream as tests and the CLI use it. */
export interface FakeDeepSeek {
  /** `http://127.0.0.1:<port>`, to use as the upstream base URL. */
  readonly url: string;
  readonly port: number;
  readonly config: Readonly<FakeConfig>;
  configure(patch: FakeConfigPatch): Readonly<FakeConfig>;
  addFault(...faults: FaultSpec[]): QueuedFault[];
  state(): FakeState;
  /** Back to the start-up options: no sessions, faults, counters or streams. */
  reset(): void;
  /** Resolves with the state once `predicate` holds (polled); rejects after `timeoutMs`. */
  waitFor(predicate: (state: FakeState) => boolean, timeoutMs?: number): Promise<FakeState>;
  close(): Promise<void>;
}

const ROUTES = new Map<string, { endpoint: FakeEndpoint; handler: RouteHandler }>([
  ['GET /api/v0/users/current', { endpoint: 'users_current', handler: usersCurrent }],
  ['POST /api/v0/chat_session/create', { endpoint: 'chat_session_create', handler: createSession }],
  ['POST /api/v0/chat/create_pow_challenge', { endpoint: 'create_pow_challenge', handler: createPowChallenge }],
  ['POST /api/v0/chat/completion', { endpoint: 'completion', handler: completion }],
  ['POST /api/v0/chat/continue', { endpoint: 'continue', handler: continueMessage }],
  ['POST /api/v0/chat/stop_stream', { endpoint: 'stop_stream', handler: stopStream }],
  ['POST /api/v0/chat_session/delete', { endpoint: 'chat_session_delete', handler: deleteSession }],
  ['POST /api/v0/chat_session/delete_all', { endpoint: 'chat_session_delete_all', handler: deleteAllSessions }],
  ['GET /api/v0/client/settings', { endpoint: 'client_settings', handler: clientSettings }],
  ['POST /api/v0/file/upload_file', { endpoint: 'upload_file', handler: uploadFile }],
  ['GET /api/v0/file/fetch_files', { endpoint: 'fetch_files', handler: fetchFiles }],
  ['POST /api/v0/file/fork_file_task', { endpoint: 'fork_file_task', handler: forkFileTask }],
]);

const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-ds-pow-response', 'cookie']);

/** Starts the fake DeepSeek upstream (plain node:http) on 127.0.0.1, port 0 unless told otherwise. */
export async function startFakeDeepSeek(options: FakeOptions = {}): Promise<FakeDeepSeek> {
  const fake = new FakeDeepSeekServer(
    applyConfigPatch(DEFAULT_CONFIG, options),
    normalizeAccounts(options.accounts ?? []),
    options.replyFor,
  );
  await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return fake;
}

class FakeDeepSeekServer implements FakeDeepSeek, FakeContext {
  config: FakeConfig;
  store = new FakeStore();
  replyFor: ReplyHook | undefined;
  readonly pow = new PowAuthority();
  readonly faults = new FaultQueue();
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly generations = new Map<string, Generation>();

  constructor(
    private readonly initialConfig: FakeConfig,
    private readonly initialAccounts: Map<string, AccountOptions | null>,
    private readonly initialReplyFor: ReplyHook | undefined,
  ) {
    this.config = initialConfig;
    this.replyFor = initialReplyFor;
    this.store.upsertAccounts(initialAccounts);
    this.server = createServer({ requestTimeout: 0 }, (req, res) => this.handle(req, res));
  }

  async listen(port: number, host: string): Promise<void> {
    ({ port: this.port, url: this.url } = await listenOn(this.server, port, host));
  }

  configure(patch: FakeConfigPatch): Readonly<FakeConfig> {
    if (patch.accounts) this.store.upsertAccounts(normalizeAccounts(patch.accounts));
    if (patch.replyFor !== undefined) this.replyFor = patch.replyFor ?? undefined;
    this.config = applyConfigPatch(this.config, patch);
    return this.config;
  }

  addFault(...faults: FaultSpec[]): QueuedFault[] {
    return faults.map((fault) => this.faults.add(fault));
  }

  state(): FakeState {
    return buildState(this.store, this.faults, this.pow);
  }

  reset(): void {
    this.cancelGenerations();
    this.store = new FakeStore();
    this.store.upsertAccounts(this.initialAccounts);
    this.config = this.initialConfig;
    this.replyFor = this.initialReplyFor;
    this.faults.clear();
    this.pow.reset();
  }

  async waitFor(predicate: (state: FakeState) => boolean, timeoutMs = 5000): Promise<FakeState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.state();
      if (predicate(state)) return state;
      if (Date.now() > deadline) throw new Error(`fake DeepSeek: condition not met within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    this.cancelGenerations();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  startGeneration(spec: GenerationSpec, res: ServerResponse): void {
    sendSseHeaders(res, traceId());
    const generation = new Generation(this.store, spec, res, (done) => this.generations.delete(done.key));
    this.generations.set(generation.key, generation);
    generation.start();
  }

  findGeneration(sessionId: string, responseMessageId: number): Generation | undefined {
    return this.generations.get(generationKey(sessionId, responseMessageId));
  }

  takeReplay(): string | null {
    const replay = this.config.replay;
    if (replay !== null) this.config = { ...this.config, replay: null };
    return replay;
  }

  private clientVersionTooLow(endpoint: FakeEndpoint, header: string | string[] | undefined): boolean {
    const minimum = this.config.minClientVersion;
    if (minimum === null || !VERSION_CHECKED_ENDPOINTS.has(endpoint)) return false;
    return isVersionBelow(typeof header === 'string' ? header : undefined, minimum);
  }

  private cancelGenerations(): void {
    for (const generation of [...this.generations.values()]) generation.cancel();
    this.generations.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { code: 500, msg: error instanceof Error ? error.message : String(error), data: null });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path, search = ''] = (req.url ?? '/').split('?', 2);
    const query = new URLSearchParams(search);
    if (path.startsWith('/__fake__/')) return handleControl(this, req, res, path);
    const route = ROUTES.get(`${req.method} ${path}`);
    const endpoint = route?.endpoint ?? 'not_found';
    this.store.recordRequest(endpoint, redactHeaders(req.headers));
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined && this.store.accounts.get(token)?.banned) return sendBanned(res);

    let modelUnavailable = false;
    const fault = this.faults.take(token ?? '', endpoint, 'request');
    if (fault?.fault === 'slow_first_byte') await sleep(numberParam(fault, 'ms', 1000));
    else if (fault?.fault === 'model_unavailable') modelUnavailable = true;
    else if (fault && answerWithFault(this, fault, endpoint, token, res)) return;

    if (!route) return sendJson(res, 404, { code: 404, msg: 'Not Found', data: null });
    let body: Record<string, unknown> = {};
    let upload: ApiRequest['upload'];
    if (endpoint === 'upload_file') upload = await readBodyUpTo(req, uploadReadLimit(this.config.files));
    else if (req.method === 'POST') {
      const raw = await readBody(req);
      try {
        const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        return sendUnprocessable(res, 'body', 'value is not a valid JSON object');
      }
    }
    if (this.clientVersionTooLow(endpoint, req.headers['x-client-version'])) return sendClientVersionTooLow(res);
    route.handler(this, { endpoint, token, headers: req.headers, query, body, modelUnavailable, upload }, res);
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match ? match[1].trim() : undefined;
}

/** Never keep tokens or PoW answers, even in memory meant for assertions. */
function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    const bearer = name === 'authorization' && /^Bearer\s/i.test(text);
    result[name] = !SECRET_HEADERS.has(name) ? text : bearer ? 'Bearer <redacted>' : '<redacted>';
  }
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
