import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { upstreamConfig, type UpstreamConfig } from '../config/upstream.config';
import { UpstreamAgent } from '../deepseek/http/upstream-agent';
import { TransportTimeout } from '../deepseek/http/transport-errors';
import { APP_VERSION } from '../console/console-files';
import { OfficialApiError, officialStatusError } from './official-api-error';
import type { OfficialChatRequest } from './official-request';

/** Error bodies are small; past this the rest is dropped. */
const MAX_ERROR_BYTES = 64 * 1024;
const MAX_MODELS_BYTES = 256 * 1024;

/**
 * HTTP to the official API (`DEEPSEEK_API_BASE_URL`), through the same UpstreamAgent as the web upstream
 * (raw bodies, no proxy, no redirects, our own timers). Knows keys only to send them.
 */
@Injectable()
export class OfficialApiClient {
  private readonly http: UpstreamAgent;
  /** The base URL's path, in front of every endpoint. */
  private readonly path: string;
  private readonly userAgent = `deepseek-web-gateway/${APP_VERSION}`;

  constructor(@Inject(upstreamConfig.KEY) private readonly config: UpstreamConfig) {
    const base = new URL(config.api.baseUrl);
    this.http = new UpstreamAgent(base);
    this.path = base.pathname.replace(/\/+$/, '');
  }

  /** Sends a chat request; resolves with the SSE body of a 200, or rejects with the OfficialApiError of the answer. */
  async chat(key: string, body: OfficialChatRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const response = await this.send('POST', '/chat/completions', key, JSON.stringify(body), signal);
    if (response.statusCode === 200) return response;
    throw await this.statusError(response, signal);
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.http.destroy();
  }

  /** The ids `GET /models` lists for this key. */
  async models(key: string, signal: AbortSignal): Promise<string[]> {
    const response = await this.send('GET', '/models', key, undefined, signal);
    if (response.statusCode !== 200) throw await this.statusError(response, signal);
    const text = await readText(response, MAX_MODELS_BYTES);
    const listed = (parseJson(text) as { data?: { id?: unknown }[] } | undefined)?.data;
    if (!Array.isArray(listed)) throw new OfficialApiError('bad_response', 'The official API listed no models.');
    return listed.flatMap((model) => (typeof model?.id === 'string' ? [model.id] : []));
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    key: string,
    data: string | undefined,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const headers = {
      authorization: `Bearer ${key}`,
      accept: method === 'POST' ? 'text/event-stream' : 'application/json',
      'user-agent': this.userAgent,
      ...(data !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const { headersTimeoutMs } = this.config.api;
    try {
      return await this.http.exchange(this.path + path, method, headers, data, { signal, headersTimeoutMs });
    } catch (error) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : error;
      if (error instanceof TransportTimeout) {
        throw new OfficialApiError('timeout', `The official API sent no answer within ${headersTimeoutMs} ms.`);
      }
      throw new OfficialApiError('network', `The official API could not be reached (${networkCode(error)}).`);
    }
  }

  private async statusError(response: IncomingMessage, signal: AbortSignal): Promise<OfficialApiError> {
    const text = signal.aborted ? '' : await readText(response, MAX_ERROR_BYTES).catch(() => '');
    const body = parseJson(text) as { error?: { message?: unknown } } | undefined;
    const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
    return officialStatusError(response.statusCode ?? 0, message, retryAfterMs(response.headers['retry-after']));
  }
}

/** `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'connection failed';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body as text, at most `limit` bytes (the rest is dropped and the socket closed). */
function readText(body: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else body.destroy();
    });
    body.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.on('error', reject);
  });
}
