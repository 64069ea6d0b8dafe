import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { abortError, childAbortController } from '../common/lifecycle/abort';
import { MetricsService } from '../common/metrics/metrics.service';
import { deepseekConfig, DeepSeekConfig } from '../config/deepseek.config';
import { CompletionRun } from './completion/completion-run';
import {
  CompletionOptions,
  DeepSeekClient,
  FileUpload,
  ModelAvailability,
  UpstreamAccount,
  UpstreamCompletion,
  UpstreamFile,
} from './deepseek.client';
import { UpstreamTransport } from './http/upstream-transport';
import { PowChallenge, PowSolver, PowUnsolvableError } from './pow/pow-challenge';
import { encodePowResponse } from './pow/pow-response';
import { UpstreamError } from './upstream-error';

const COMPLETION_PATH = '/api/v0/chat/completion';
const UPLOAD_PATH = '/api/v0/file/upload_file';
/** A challenge this close to expiry is not worth sending: fetch a fresh one. */
const POW_EXPIRY_MARGIN_MS = 10_000;
/** Aborts the pre-flight's controller once both calls settled. Made once: a DOMException per request took ~0.1 ms (its stack). */
const PREFLIGHT_OVER = abortError('The pre-flight is over.');

/** The real upstream over HTTP (docs/protocol.md §4). */
@Injectable()
export class HttpDeepSeekClient extends DeepSeekClient implements OnModuleDestroy {
  private readonly logger = new Logger(DeepSeekClient.name);
  private readonly transport: UpstreamTransport;

  constructor(
    @Inject(deepseekConfig.KEY) private readonly config: DeepSeekConfig,
    private readonly pow: PowSolver,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    super();
    this.transport = new UpstreamTransport(config);
  }

  async checkToken(token: string, signal?: AbortSignal): Promise<UpstreamAccount> {
    // Only the envelope's codes judge the token: old clients that insisted on finding it at one place in the
    // answer called every token dead when the answer moved under biz_data (2025-04, docs/protocol.md §3).
    const data = (await this.transport.json('users/current', token, undefined, signal)) as {
      chat?: { is_muted?: unknown; mute_until?: unknown } | null;
    } | null;
    if (typeof data !== 'object' || data === null) {
      throw new UpstreamError('bad_response', 'users/current: the answer has no account data', {
        endpoint: 'users/current',
      });
    }
    const muteUntil = data.chat?.mute_until;
    const muted = data.chat?.is_muted === 1 && typeof muteUntil === 'number' && muteUntil * 1000 > Date.now();
    return { mutedUntilMs: muted ? Math.round(muteUntil * 1000) : null };
  }

  async modelSettings(token: string, signal?: AbortSignal): Promise<ModelAvailability> {
    // No `did` (device id): we send no device identity of any kind.
    const data = (await this.transport.json('client/settings?scope=model', token, undefined, signal)) as {
      model_configs?: unknown;
    } | null;
    const configs = data?.model_configs;
    // Seen as a list of `{model_type, enabled}`; an object keyed by model type is read too.
    const entries: [string, unknown][] = Array.isArray(configs)
      ? configs.map((c: { model_type?: unknown } | null) => [typeof c?.model_type === 'string' ? c.model_type : '', c])
      : typeof configs === 'object' && configs !== null
        ? Object.entries(configs)
        : [];
    const availability: Record<string, boolean> = {};
    for (const [type, config] of entries) {
      const enabled = (config as { enabled?: unknown } | null)?.enabled;
      if (type && typeof enabled === 'boolean') availability[type.toLowerCase()] = enabled;
    }
    if (Object.keys(availability).length === 0) {
      throw new UpstreamError('bad_response', 'client/settings: no model_configs in the answer', {
        endpoint: 'client/settings',
      });
    }
    return availability;
  }

  async startCompletion(options: CompletionOptions): Promise<UpstreamCompletion> {
    const { token, signal } = options;
    // Session and PoW overlap; the first failure aborts the other so no work is left behind.
    const preflight = childAbortController(signal);
    let sessionId: string;
    let powHeader: string;
    try {
      [sessionId, powHeader] = await Promise.all([
        options.sessionId ?? this.createSession(token, preflight.signal),
        this.solvePow(token, COMPLETION_PATH, preflight.signal),
      ]);
    } catch (error) {
      throw signal.aborted ? (signal.reason ?? error) : error;
    } finally {
      // Stops the other call after a failure; after success it only unhooks the controller from `signal`.
      preflight.abort(PREFLIGHT_OVER);
    }
    const parentMessageId = options.parentMessageId ?? null;
    // The 2026 web client's body: a typed message (`source`), the model named on a session's first turn only.
    const request = {
      chat_session_id: sessionId,
      parent_message_id: parentMessageId,
      model_type: parentMessageId === null ? options.modelType : null,
      prompt: options.prompt,
      ref_file_ids: options.refFileIds ?? [],
      thinking_enabled: options.thinking,
      search_enabled: options.search,
      source: 'input',
      action: null,
      preempt: false,
    };
    try {
      return await this.run(token, sessionId, powHeader, request, signal);
    } catch (error) {
      // The upstream's PoW refusals are undocumented (§6.4): fetch a new challenge and retry once.
      if (!(error instanceof UpstreamError && error.kind === 'pow')) throw error;
      this.logger.warn('proof of work refused by the upstream; retrying once with a fresh challenge');
      return this.run(token, sessionId, await this.solvePow(token, COMPLETION_PATH, signal), request, signal);
    }
  }

  // `signal` goes beyond the DeepSeekClient contract, which has none for these two calls yet.
  async stopStream(token: string, sessionId: string, messageId: number, signal?: AbortSignal): Promise<void> {
    try {
      const body = { chat_session_id: sessionId, message_id: messageId };
      await this.transport.json('chat/stop_stream', token, body, signal);
    } catch (error) {
      this.logger.debug(`stop_stream failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async deleteSession(token: string, sessionId: string, signal?: AbortSignal): Promise<void> {
    await this.transport.json('chat_session/delete', token, { chat_session_id: sessionId }, signal);
  }

  async uploadFile(token: string, file: FileUpload, signal: AbortSignal): Promise<UpstreamFile> {
    const headers = {
      'x-ds-pow-response': await this.solvePow(token, UPLOAD_PATH, signal),
      'x-file-size': String(file.bytes.length),
    };
    const data = await this.transport.upload('file/upload_file', token, file, headers, signal);
    return fileOf(data, 'file/upload_file');
  }

  async fetchFiles(token: string, fileIds: readonly string[], signal: AbortSignal): Promise<UpstreamFile[]> {
    const query = `file/fetch_files?file_ids=${fileIds.map(encodeURIComponent).join(',')}`;
    const data = (await this.transport.json(query, token, undefined, signal)) as { files?: unknown } | null;
    if (!Array.isArray(data?.files)) {
      throw new UpstreamError('bad_response', 'file/fetch_files: no file list in the answer', {
        endpoint: 'file/fetch_files',
      });
    }
    return data.files.map((file) => fileOf(file, 'file/fetch_files'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
  }

  private run(token: string, sessionId: string, powHeader: string, request: object, signal: AbortSignal) {
    const abort = childAbortController(signal);
    const settings = {
      maxContinueRounds: this.config.maxContinueRounds,
      firstByteTimeoutMs: this.config.firstByteTimeoutMs,
      closeGraceMs: this.config.closeGraceMs,
    };
    const stop = (messageId: number) => this.stopStream(token, sessionId, messageId);
    return new CompletionRun(this.transport, settings, { token, sessionId, powHeader }, abort, stop).start(request);
  }

  private async createSession(token: string, signal: AbortSignal): Promise<string> {
    const data = (await this.transport.json('chat_session/create', token, {}, signal)) as {
      id?: unknown;
      chat_session?: { id?: unknown };
    } | null;
    const id = data?.chat_session?.id ?? data?.id;
    if (typeof id !== 'string' || id.length === 0) {
      throw new UpstreamError('bad_response', 'chat_session/create: no session id (the account or IP may be blocked)', {
        endpoint: 'chat_session/create',
      });
    }
    return id;
  }

  private async solvePow(token: string, targetPath: string, signal: AbortSignal): Promise<string> {
    let challenge = await this.fetchChallenge(token, targetPath, signal);
    let answer = await this.solve(challenge, signal);
    if (challenge.expireAt - Date.now() < POW_EXPIRY_MARGIN_MS) {
      challenge = await this.fetchChallenge(token, targetPath, signal);
      answer = await this.solve(challenge, signal);
    }
    return encodePowResponse(challenge, answer);
  }

  private async fetchChallenge(token: string, targetPath: string, signal: AbortSignal): Promise<PowChallenge> {
    const data = (await this.transport.json(
      'chat/create_pow_challenge',
      token,
      { target_path: targetPath },
      signal,
    )) as {
      challenge?: Record<string, unknown>;
    } | null;
    const c = data?.challenge;
    if (
      typeof c?.challenge !== 'string' ||
      typeof c.salt !== 'string' ||
      typeof c.signature !== 'string' ||
      typeof c.difficulty !== 'number' ||
      typeof c.expire_at !== 'number'
    ) {
      throw new UpstreamError('bad_response', 'create_pow_challenge: malformed challenge', {
        endpoint: 'chat/create_pow_challenge',
      });
    }
    return {
      algorithm: typeof c.algorithm === 'string' ? c.algorithm : '',
      challenge: c.challenge,
      salt: c.salt,
      signature: c.signature,
      difficulty: c.difficulty,
      expireAt: c.expire_at,
      targetPath: typeof c.target_path === 'string' ? c.target_path : targetPath,
    };
  }

  private async solve(challenge: PowChallenge, signal: AbortSignal): Promise<number> {
    const startedAt = performance.now();
    try {
      const answer = await this.pow.solve(challenge, signal);
      this.metrics?.observePowSolve(performance.now() - startedAt);
      return answer;
    } catch (error) {
      if (error instanceof PowUnsolvableError) {
        throw new UpstreamError('pow', `proof of work: ${error.message}`, { endpoint: 'chat/create_pow_challenge' });
      }
      throw error;
    }
  }
}

/** A file record of upload_file or fetch_files; the id and the status are all we rely on. */
function fileOf(value: unknown, endpoint: string): UpstreamFile {
  const file = value as { id?: unknown; status?: unknown; error_code?: unknown } | null;
  if (typeof file?.id !== 'string' || typeof file.status !== 'string') {
    throw new UpstreamError('bad_response', `${endpoint}: a file without id or status`, { endpoint });
  }
  const code = file.error_code;
  const errorCode = typeof code === 'string' || typeof code === 'number' ? String(code) : null;
  return { id: file.id, status: file.status, errorCode };
}
