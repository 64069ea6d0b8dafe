import { type Dispatcher, request } from 'undici';
import type { PowChallenge } from '../../src/deepseek/pow/pow-challenge';
import { encodePowResponse } from '../../src/deepseek/pow/pow-response';
import type { DeepSeekEvent } from '../../src/deepseek/stream/deepseek-event';
import { UpstreamStreamParser } from '../../src/deepseek/stream/upstream-stream-parser';
import { wallClockMs } from '../common/clock';
import { errorCode, type StreamHooks, type StreamOutcome } from './stream-outcome';

const COMPLETION_PATH = '/api/v0/chat/completion';
const SILENT_LOGGER = { debug: () => undefined, warn: () => undefined };

export type SolvePow = (challenge: PowChallenge) => Promise<number>;

/**
 * The direct path: the upstream handshake done by the client itself, the least any design must do
 * (docs/protocol.md §4): chat_session/create ∥ (create_pow_challenge + solve), then the
 * completion with x-ds-pow-response, parsed with the gateway's own UpstreamStreamParser.
 */
export class DirectClient {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly baseUrl: string,
    private readonly solvePow: SolvePow,
  ) {}

  async stream(token: string, marker: string, hooks: StreamHooks = {}): Promise<StreamOutcome> {
    const outcome: StreamOutcome = {
      marker,
      ok: false,
      status: 0,
      sentAtWall: wallClockMs(),
      startedAt: performance.now(),
      headersAt: null,
      firstTokenAt: null,
      endedAt: 0,
      frames: 0,
    };
    let opened = false;
    try {
      const response = await this.openCompletion(token, marker, outcome);
      outcome.status = response.statusCode;
      outcome.headersAt = performance.now();
      const type = String(response.headers['content-type'] ?? '');
      if (response.statusCode !== 200 || !type.includes('text/event-stream')) {
        outcome.error = `upstream_${response.statusCode}:${(await response.body.text()).slice(0, 80)}`;
        return outcome;
      }
      opened = true;
      hooks.onOpen?.();
      let chunkAt = 0;
      let closed = false;
      const onEvent = (event: DeepSeekEvent): void => {
        if (event.type === 'content' || event.type === 'reasoning') {
          outcome.firstTokenAt ??= chunkAt;
          outcome.frames++;
          hooks.onFrames?.(1, chunkAt);
        } else if (event.type === 'error') outcome.error = 'sse_error';
        else if (event.type === 'close') closed = true;
      };
      const parser = new UpstreamStreamParser(onEvent, { logger: SILENT_LOGGER });
      for await (const chunk of response.body) {
        chunkAt = performance.now();
        parser.write(chunk as Buffer);
      }
      parser.end();
      if (!closed && outcome.error === undefined) outcome.error = 'truncated';
      outcome.ok = outcome.error === undefined;
    } catch (error) {
      outcome.error ??= errorCode(error);
    } finally {
      outcome.endedAt = performance.now();
      if (opened) hooks.onClose?.();
    }
    return outcome;
  }

  /**
   * The handshake and the completion request (chat_session/create ∥ create_pow_challenge + solve, then
   * the completion with x-ds-pow-response): the upstream response, its body not read yet. Also used by
   * the minimal relay (bench/relay/minimal-relay.ts), so both do exactly the same upstream work.
   */
  async openCompletion(
    token: string,
    marker: string,
    timing: Pick<StreamOutcome, 'powMs' | 'answer'> = {},
  ): Promise<Dispatcher.ResponseData> {
    const [sessionId, powHeader] = await Promise.all([this.createSession(token), this.powHeader(token, timing)]);
    return request(`${this.baseUrl}${COMPLETION_PATH}`, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-ds-pow-response': powHeader,
      },
      body: JSON.stringify({
        chat_session_id: sessionId,
        parent_message_id: null,
        model_type: 'default',
        prompt: `Tell me something. [bench:${marker}]`,
        ref_file_ids: [],
        thinking_enabled: false,
        search_enabled: false,
        preempt: false,
      }),
    });
  }

  private async createSession(token: string): Promise<string> {
    const data = (await this.json('/api/v0/chat_session/create', token, {})) as {
      id?: unknown;
      chat_session?: { id?: unknown };
    };
    const id = data.chat_session?.id ?? data.id;
    if (typeof id !== 'string') throw new Error('chat_session/create: no session id');
    return id;
  }

  private async powHeader(token: string, outcome: Pick<StreamOutcome, 'powMs' | 'answer'>): Promise<string> {
    const data = (await this.json('/api/v0/chat/create_pow_challenge', token, { target_path: COMPLETION_PATH })) as {
      challenge: Record<string, unknown>;
    };
    const c = data.challenge;
    const challenge: PowChallenge = {
      algorithm: String(c.algorithm),
      challenge: String(c.challenge),
      salt: String(c.salt),
      signature: String(c.signature),
      difficulty: Number(c.difficulty),
      expireAt: Number(c.expire_at),
      targetPath: typeof c.target_path === 'string' ? c.target_path : COMPLETION_PATH,
    };
    const started = performance.now();
    const answer = await this.solvePow(challenge);
    outcome.powMs = performance.now() - started;
    outcome.answer = answer;
    return encodePowResponse(challenge, answer);
  }

  /** A JSON endpoint: `biz_data` of a successful envelope, or an Error naming the failure. */
  private async json(path: string, token: string, body: object): Promise<unknown> {
    const response = await request(`${this.baseUrl}${path}`, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const envelope = (await response.body.json()) as {
      code?: number;
      msg?: string;
      data?: { biz_code?: number; biz_msg?: string; biz_data?: unknown } | null;
    };
    if (envelope.code !== 0 || envelope.data?.biz_code !== 0) {
      throw new Error(
        `${path}: code ${envelope.code} biz_code ${envelope.data?.biz_code} ${envelope.data?.biz_msg ?? ''}`,
      );
    }
    return envelope.data.biz_data;
  }
}
