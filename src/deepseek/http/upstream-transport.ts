import { randomUUID } from 'node:crypto';
import type { HttpService } from '@nestjs/axios';
import { type AxiosResponse, isAxiosError } from 'axios';
import { type ClientRequest, type IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { firstValueFrom } from 'rxjs';
import type { DeepSeekConfig } from '../../config/deepseek.config';
import { UpstreamError } from '../upstream-error';
import { readEnvelope } from './envelope';
import { requestError, toUpstreamError, TransportTimeout } from './transport-errors';
import { destroyAgents } from './upstream-http';

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
 * HTTP to the upstream through @nestjs/axios's HttpService, set up by upstreamHttpOptions (keep-alive agents,
 * no proxy, no redirects, no decompression, every status accepted, the answer as node's IncomingMessage).
 * Honest web-client headers, envelope checks, a first-byte timeout and an idle timeout, failures mapped to
 * UpstreamError. Knows nothing of chats.
 */
export class UpstreamTransport {
  private readonly urlPrefix: string;
  private readonly commonHeaders: Record<string, string | false>;
  private inFlight = 0;
  private closing: (() => void) | null = null;

  constructor(
    private readonly config: DeepSeekConfig,
    private readonly http: HttpService,
  ) {
    const base = new URL(config.baseUrl);
    this.urlPrefix = `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/v0/`;
    const site = base.origin;
    this.commonHeaders = {
      'accept-language': 'en-US,en;q=0.9',
      // `false` keeps axios from adding its own: we take no compressed answer, so no zlib sits on the stream.
      'accept-encoding': false,
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
    return settled.then(() => destroyAgents(this.http));
  }

  private async send(
    endpoint: string,
    token: string,
    payload: { data: string | Buffer; type: string } | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    if (this.closing) throw new UpstreamError('network', `${endpoint}: the client is closed`, { endpoint });
    const headersDeadline = new AbortController();
    const timer = setTimeout(
      () => headersDeadline.abort(new TransportTimeout('HEADERS_TIMEOUT')),
      this.config.firstByteTimeoutMs,
    );
    this.inFlight++;
    let response: AxiosResponse<unknown>;
    try {
      response = await firstValueFrom(
        this.http.request<unknown>({
          url: this.urlPrefix + endpoint,
          method: payload === undefined ? 'GET' : 'POST',
          // Here, not only in the instance defaults: HttpService reads the request's own config and, unless it
          // says 'stream', cancels the request once its Observable is done, which would cut the body it returned.
          responseType: 'stream',
          // The deadline stays linked after the headers but is never fired then: the caller's signal alone
          // can cut the body, and axios then destroys the request and its socket.
          signal: signal ? AbortSignal.any([signal, headersDeadline.signal]) : headersDeadline.signal,
          headers: {
            ...this.commonHeaders,
            ...headers,
            authorization: `Bearer ${token}`,
            ...(payload === undefined ? {} : { 'content-type': payload.type }),
          },
          data: payload?.data,
        }),
      );
    } catch (error) {
      this.settled();
      const reason: unknown = headersDeadline.signal.aborted ? headersDeadline.signal.reason : transportCause(error);
      throw requestError(endpoint, reason, signal);
    } finally {
      clearTimeout(timer);
    }
    const answer = response.data;
    if (!(answer instanceof IncomingMessage)) {
      this.settled();
      throw new UpstreamError('network', `${endpoint}: the HTTP client returned no response stream`, { endpoint });
    }
    answer.once('close', () => this.settled());
    // An idle timeout (no byte for this long), never a total one: answers may take many minutes.
    const request = response.request as ClientRequest;
    request.setTimeout(this.config.upstreamTimeoutMs, () => answer.destroy(new TransportTimeout('IDLE_TIMEOUT')));
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

/**
 * What went wrong underneath axios. Never the AxiosError itself: it carries the request's config, headers
 * (the token) included, and must not travel on to a log.
 */
function transportCause(error: unknown): unknown {
  if (!isAxiosError(error)) return error;
  if (error.cause instanceof Error) return error.cause;
  return Object.assign(new Error(error.message), { code: error.code });
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
