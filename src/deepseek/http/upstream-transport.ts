import { Agent, Dispatcher, errors } from 'undici';
import type { DeepSeekConfig } from '../../config/deepseek.config';
import { UpstreamError } from '../upstream-error';
import { readEnvelope } from './envelope';

export type StreamBody = Dispatcher.ResponseData['body'];

export interface OpenStream {
  body: StreamBody;
  headers: Dispatcher.ResponseData['headers'];
}

const BLOCKED_PREVIEW_BYTES = 300;

/**
 * HTTP to the upstream over one keep-alive undici Agent: honest web-client headers, envelope
 * checks, and undici failures mapped to UpstreamError. Knows nothing of chats.
 */
export class UpstreamTransport {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly commonHeaders: Record<string, string>;

  constructor(private readonly config: DeepSeekConfig) {
    this.origin = config.baseUrl;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
      headersTimeout: config.firstByteTimeoutMs,
      bodyTimeout: config.upstreamTimeoutMs,
    });
    const site = new URL(config.baseUrl).origin;
    this.commonHeaders = {
      'accept-language': 'en-US,en;q=0.9',
      origin: site,
      referer: `${site}/`,
      'user-agent': config.userAgent,
      'x-client-platform': 'web',
      'x-client-version': config.clientVersion,
      'x-client-locale': config.clientLocale,
      'x-app-version': config.appVersion,
    };
  }

  /** A JSON endpoint: resolves `biz_data`, or throws the UpstreamError the answer stands for. */
  async json(endpoint: string, token: string, body: object | undefined, signal?: AbortSignal): Promise<unknown> {
    const response = await this.send(endpoint, token, body, { accept: 'application/json' }, signal);
    const text = await this.readText(endpoint, response.body);
    this.ensureJson(endpoint, response, text);
    return readEnvelope(endpoint, response.statusCode, text);
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
      return { body: response.body, headers: response.headers };
    }
    const text = await this.readText(endpoint, response.body);
    this.ensureJson(endpoint, response, text);
    readEnvelope(endpoint, response.statusCode, text);
    throw new UpstreamError('bad_response', `${endpoint}: the upstream answered JSON instead of a stream`, {
      endpoint,
      status: response.statusCode,
      upstreamMessage: text.slice(0, 200),
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async send(
    endpoint: string,
    token: string,
    body: object | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await this.agent.request({
        origin: this.origin,
        path: `/api/v0/${endpoint}`,
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...this.commonHeaders,
          ...headers,
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw toUpstreamError(endpoint, error, signal);
    }
  }

  private async readText(endpoint: string, body: StreamBody): Promise<string> {
    try {
      return await body.text();
    } catch (error) {
      throw toUpstreamError(endpoint, error);
    }
  }

  private ensureJson(endpoint: string, response: Dispatcher.ResponseData, text: string): void {
    const type = String(response.headers['content-type'] ?? '');
    if (type.includes('json')) return;
    const status = response.statusCode;
    if (status === 429) throw new UpstreamError('throttled', `${endpoint}: throttled (HTTP 429)`, { endpoint, status });
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

/** undici's failures as UpstreamErrors; an abort we asked for stays an abort. */
export function toUpstreamError(endpoint: string, error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof UpstreamError) return error;
  if (signal?.aborted) return signal.reason ?? error;
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError
  ) {
    return new UpstreamError('timeout', `${endpoint}: the upstream timed out (${error.code})`, { endpoint });
  }
  const code = (error as { code?: unknown } | null)?.code;
  return new UpstreamError('network', `${endpoint}: network error${typeof code === 'string' ? ` (${code})` : ''}`, {
    endpoint,
  });
}
