import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { DeepSeekConfig } from '../../config/deepseek.config';
import { UpstreamError } from '../upstream-error';
import { readEnvelope } from './envelope';
import { requestError, toUpstreamError } from './transport-errors';
import { UpstreamAgent } from './upstream-agent';

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
 * HTTP to the upstream through UpstreamAgent (node:http, keep-alive sockets, no proxy, no redirects, no
 * decompression), every status accepted, the answer as node's own IncomingMessage. Honest web-client headers (no Accept-Encoding: no compressed answer, so no zlib on the
 * stream), envelope checks, a first-byte timeout and an idle timeout, failures mapped to UpstreamError.
 * Knows nothing of chats.
 */
export class UpstreamTransport {
  private readonly http: UpstreamAgent;
  /** The base URL's path and `/api/v0/`, in front of every endpoint. */
  private readonly path: string;
  private readonly commonHeaders: Record<string, string>;
  private inFlight = 0;
  private closing: (() => void) | null = null;

  constructor(private readonly config: DeepSeekConfig) {
    const base = new URL(config.baseUrl);
    this.http = new UpstreamAgent(base);
    this.path = `${base.pathname.replace(/\/+$/, '')}/api/v0/`;
    const site = base.origin;
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
    const payload = body === undefined ? undefined : { data: JSON.stringify(body), type: 'application/json' };
    return this.readJson(
      endpoint,
      await this.send(endpoint, token, payload, { accept: 'application/json' }, signal),
      signal,
    );
  }

  /** A file as `multipart/form-data` with the one field `file` (file/upload_file): resolves `biz_data`. */
  async upload(
    endpoint: string,
    token: string,
    file: MultipartFile,
    extraHeaders: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const boundary = `----ds-gateway-${randomUUID()}`;
    const payload = { data: multipartBody(boundary, file), type: `multipart/form-data; boundary=${boundary}` };
    const headers = { accept: 'application/json', ...extraHeaders };
    return this.readJson(endpoint, await this.send(endpoint, token, payload, headers, signal), signal);
  }

  private async readJson(endpoint: string, response: IncomingMessage, signal?: AbortSignal): Promise<unknown> {
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
    const payload = { data: JSON.stringify(body), type: 'application/json' };
    const response = await this.send(
      endpoint,
      token,
      payload,
      { accept: 'text/event-stream', ...extraHeaders },
      signal,
    );
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
    return settled.then(() => this.http.destroy());
  }

  private async send(
    endpoint: string,
    token: string,
    payload: { data: string | Buffer; type: string } | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    if (this.closing) throw new UpstreamError('network', `${endpoint}: the client is closed`, { endpoint });
    const requestHeaders: OutgoingHttpHeaders = { ...this.commonHeaders, ...headers, authorization: `Bearer ${token}` };
    if (payload) requestHeaders['content-type'] = payload.type;
    this.inFlight++;
    let answer: IncomingMessage;
    try {
      answer = await this.http.exchange(
        this.path + endpoint,
        payload === undefined ? 'GET' : 'POST',
        requestHeaders,
        payload?.data,
        { signal, headersTimeoutMs: this.config.firstByteTimeoutMs, idleTimeoutMs: this.config.upstreamTimeoutMs },
      );
    } catch (error) {
      this.settled();
      throw requestError(endpoint, error, signal);
    }
    answer.once('close', () => this.settled());
    return answer;
  }

  private settled(): void {
    if (--this.inFlight === 0) this.closing?.();
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

export interface MultipartFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** One `file` field, as browsers send it; the name is quoted with `"` and line breaks escaped as they do. */
function multipartBody(boundary: string, file: MultipartFile): Buffer {
  const name = file.fileName.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="file"; filename="${name}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
}
