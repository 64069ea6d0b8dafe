import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { DeepSeekConfig } from '../../config/deepseek.config';
import { UpstreamError } from '../upstream-error';
import { readEnvelope } from './envelope';
import { requestError, toUpstreamError, TransportTimeout } from './transport-errors';

export { toUpstreamError } from './transport-errors';

export type StreamBody = IncomingMessage;

export interface OpenStream {
  body: StreamBody;
  headers: IncomingHttpHeaders;
}

const BLOCKED_PREVIEW_BYTES = 300;
/** JSON answers and refusal pages are small; past this, the rest is dropped (and the JSON then fails to parse). */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

/**
 * HTTP to the upstream over one keep-alive node:http(s) Agent (the stack @nestjs/axios sits on, without axios:
 * bench/http-client.bench.ts measured it cheaper than undici per streamed frame). Honest web-client headers,
 * envelope checks, a first-byte timeout and an idle timeout, failures mapped to UpstreamError. Knows nothing of chats.
 */
export class UpstreamTransport {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly base: URL;
  private readonly commonHeaders: Record<string, string>;
  private inFlight = 0;
  private closing: (() => void) | null = null;

  constructor(private readonly config: DeepSeekConfig) {
    this.base = new URL(config.baseUrl);
    const secure = this.base.protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.request = secure ? httpsRequest : httpRequest;
    const site = this.base.origin;
    this.commonHeaders = {
      'accept-language': 'en-US,en;q=0.9',
      origin: site,
      referer: `${site}/`,
      'user-agent': config.userAgent,
      'x-client-platform': 'web',
      'x-client-version': config.clientVersion,
      'x-client-locale': config.clientLocale,
      'x-client-timezone-offset': String(config.clientTimezoneOffset),
      ...(config.appVersion ? { 'x-app-version': config.appVersion } : {}),
    };
  }

  /** A JSON endpoint: resolves `biz_data`, or throws the UpstreamError the answer stands for. */
  async json(endpoint: string, token: string, body: object | undefined, signal?: AbortSignal): Promise<unknown> {
    const response = await this.send(endpoint, token, body, { accept: 'application/json' }, signal);
    const text = await this.readText(endpoint, response, signal);
    this.ensureJson(endpoint, response, text);
    return readEnvelope(endpoint, response.statusCode ?? 0, text);
  }

  /**
   * A streaming endpoint (completion, continue). Resolves once an SSE body starts; a JSON envelope,
   * an HTML page or any other answer rejects with its UpstreamError.
   */
  async stream(
    endpoint: string,
    token: string,
    body: object,
    extraHeaders: Record<string, string>,
    signal: AbortSignal,
  ): Promise<OpenStream> {
    const response = await this.send(endpoint, token, body, { accept: 'text/event-stream', ...extraHeaders }, signal);
    const type = String(response.headers['content-type'] ?? '');
    if (response.statusCode === 200 && type.includes('text/event-stream')) {
      return { body: response, headers: response.headers };
    }
    const text = await this.readText(endpoint, response, signal);
    this.ensureJson(endpoint, response, text);
    readEnvelope(endpoint, response.statusCode ?? 0, text);
    throw new UpstreamError('bad_response', `${endpoint}: the upstream answered JSON instead of a stream`, {
      endpoint,
      status: response.statusCode,
      upstreamMessage: text.slice(0, 200),
    });
  }

  /** Refuses new calls, waits for those in flight (stop_stream after a drain is worth it), then closes every socket. */
  close(): Promise<void> {
    const settled = new Promise<void>((resolve) => {
      this.closing = resolve;
      if (this.inFlight === 0) resolve();
    });
    return settled.then(() => this.agent.destroy());
  }

  private send(
    endpoint: string,
    token: string,
    body: object | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    if (this.closing) {
      return Promise.reject(new UpstreamError('network', `${endpoint}: the client is closed`, { endpoint }));
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = this.request(this.base, {
        agent: this.agent,
        method: payload === undefined ? 'GET' : 'POST',
        path: `${this.base.pathname.replace(/\/+$/, '')}/api/v0/${endpoint}`,
        signal,
        headers: {
          ...this.commonHeaders,
          ...headers,
          authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
      });
      this.inFlight++;
      req.once('close', () => {
        if (--this.inFlight === 0) this.closing?.();
      });
      const headersTimer = setTimeout(
        () => req.destroy(new TransportTimeout('HEADERS_TIMEOUT')),
        this.config.firstByteTimeoutMs,
      );
      // Socket errors after the headers also reach the answer's body; here they only must not go unhandled.
      req.on('error', (error) => {
        clearTimeout(headersTimer);
        reject(requestError(endpoint, error, signal));
      });
      req.on('response', (response) => {
        clearTimeout(headersTimer);
        // An idle timeout (no byte for this long), never a total one: answers may take many minutes.
        req.setTimeout(this.config.upstreamTimeoutMs, () => response.destroy(new TransportTimeout('IDLE_TIMEOUT')));
        resolve(response);
      });
      req.end(payload);
    });
  }

  private readText(endpoint: string, response: IncomingMessage, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_TEXT_BYTES) chunks.push(chunk);
      });
      response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.once('error', (error) => reject(toUpstreamError(endpoint, error, signal)));
      response.once('close', () => {
        if (!response.complete) reject(toUpstreamError(endpoint, new Error('closed'), signal));
      });
    });
  }

  private ensureJson(endpoint: string, response: IncomingMessage, text: string): void {
    const type = String(response.headers['content-type'] ?? '');
    if (type.includes('json')) return;
    const status = response.statusCode ?? 0;
    if (status === 429) throw new UpstreamError('throttled', `${endpoint}: throttled (HTTP 429)`, { endpoint, status });
    if (type.includes('text/event-stream')) {
      throw new UpstreamError('bad_response', `${endpoint}: an event stream with HTTP ${status}`, {
        endpoint,
        status,
        upstreamMessage: text.slice(0, BLOCKED_PREVIEW_BYTES),
      });
    }
    const waf = response.headers['x-amzn-waf-action'] ? ' (AWS WAF)' : '';
    throw new UpstreamError(
      'blocked',
      `${endpoint}: the upstream answered ${type || 'no content type'}${waf}, HTTP ${status}`,
      {
        endpoint,
        status,
        upstreamMessage: text.slice(0, BLOCKED_PREVIEW_BYTES),
      },
    );
  }
}
