/**
 * Fetches a file a client named by URL (an OpenAI `image_url`, an Anthropic `source.type: "url"`), for a
 * server that must not become the client's way into its own network (SSRF):
 *
 * - only `http:` and `https:` URLs, without credentials; metadata host names (and `localhost` unless
 *   `allowPrivate`) are refused by name;
 * - the address is judged where the socket connects: a custom `lookup` on the request filters every address
 *   a name resolves to (`guarded-lookup.ts`), so a DNS answer cannot change between check and connect; IP
 *   literals, which Node never looks up, are judged before the request;
 * - redirects are followed by hand, at most `maxRedirects`, each hop judged afresh like the first URL;
 * - one time cap for the whole fetch, redirects included, combined with the caller's signal;
 * - the body is read up to `maxBytes`: a larger Content-Length is refused before reading, and a body without
 *   one is cut off as soon as it passes the cap (the chunks kept never exceed it);
 * - the Content-Type's media type must match `allowedTypes`; when it is missing or only says
 *   `application/octet-stream`, the first bytes decide (PNG, JPEG, GIF, WebP, PDF) and anything else is
 *   refused, so an unlabelled body is never guessed to be text.
 *
 * `node:http`/`https` directly, as the upstream calls (UpstreamAgent, decision 0006), but not through
 * UpstreamAgent: what this needs is their `lookup` option (the address checks) on a fresh socket per fetch,
 * never a kept-alive one.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { abortReason } from '../../common/lifecycle/abort';
import { quotable } from '../../common/logging/client-text';
import { isForbiddenAddress, isForbiddenHostName } from './address-policy';
import { fileNameOf } from './file-name';
import { forbiddenMessage, guardedLookup, resolveWithDns, type Resolve } from './guarded-lookup';
import { isAllowedType, isUndeclared, mediaTypeOf, sniffMediaType } from './media-type';
import { RemoteFetchError } from './remote-fetch-error';

export interface RemoteFetcherOptions {
  /** `FETCH_ALLOW_PRIVATE`: private, loopback and link-local addresses become fetchable; metadata never. */
  allowPrivate: boolean;
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects: number;
  /** Media types, `image/*` wildcards, or `*\/*`. */
  allowedTypes: readonly string[];
  /** Test seam: how host names resolve (default: the system resolver, every address). */
  lookup?: Resolve;
  /** Test seam: which addresses are refused (default: `isForbiddenAddress` with `allowPrivate`). */
  isForbidden?: (ip: string) => boolean;
}

export interface FetchedFile {
  bytes: Buffer;
  /** The media type, lower-cased, without parameters (sniffed when the server did not say). */
  contentType: string;
  fileName: string | null;
  /** The URL the bytes came from, after redirects. */
  finalUrl: string;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export class RemoteFetcher {
  private readonly isForbidden: (ip: string) => boolean;
  private readonly lookup: LookupFunction;

  constructor(private readonly options: RemoteFetcherOptions) {
    const { allowPrivate } = options;
    this.isForbidden = options.isForbidden ?? ((ip) => isForbiddenAddress(ip, { allowPrivate }));
    this.lookup = guardedLookup(options.lookup ?? resolveWithDns, this.isForbidden);
  }

  /**
   * The file at `url`, or a `RemoteFetchError`; when `signal` aborts, its reason (or an AbortError) instead.
   */
  async fetch(url: string, signal?: AbortSignal): Promise<FetchedFile> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let target = this.checkedTarget(url);
    for (let redirects = 0; ; redirects++) {
      const current = target;
      const response = await this.guard(current, signal, deadline, () => this.request(current, combined));
      const location = REDIRECT_STATUSES.has(response.statusCode ?? 0) ? response.headers.location : undefined;
      if (location === undefined) {
        return this.guard(current, signal, deadline, () => this.accept(response, current));
      }
      response.destroy();
      if (redirects >= this.options.maxRedirects) {
        throw new RemoteFetchError(
          'too_many_redirects',
          `the server at ${current.host} redirected more than ${this.options.maxRedirects} times.`,
        );
      }
      target = this.checkedTarget(location, current);
    }
  }

  /** `text` (relative to `base` for a redirect) as a URL this fetcher may request, or a RemoteFetchError. */
  private checkedTarget(text: string, base?: URL): URL {
    let url: URL;
    try {
      url = new URL(text, base);
    } catch {
      throw new RemoteFetchError('bad_url', base ? 'a redirect named an invalid URL.' : 'the URL is not valid.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RemoteFetchError('bad_url', 'only http and https URLs are fetched.');
    }
    if (url.username !== '' || url.password !== '') {
      throw new RemoteFetchError('bad_url', 'URLs with credentials are not fetched.');
    }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    const forbidden =
      isIP(literal) !== 0
        ? this.isForbidden(literal)
        : isForbiddenHostName(literal, { allowPrivate: this.options.allowPrivate });
    if (forbidden) throw new RemoteFetchError('forbidden_address', forbiddenMessage(url.host));
    return url;
  }

  private request(target: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        target,
        {
          method: 'GET',
          // A fresh socket per request: a pooled one would skip the lookup, and these fetches are one-offs.
          agent: false,
          lookup: this.lookup,
          signal,
          headers: {
            accept: this.options.allowedTypes.join(', '),
            'accept-encoding': 'identity',
            'user-agent': 'deepseek-web-gateway (attachment fetcher)',
          },
        },
        resolve,
      );
      request.once('error', reject);
      request.end();
    });
  }

  private async accept(response: http.IncomingMessage, target: URL): Promise<FetchedFile> {
    const { host } = target;
    const status = response.statusCode ?? 0;
    const refuse = (error: RemoteFetchError) => {
      response.destroy();
      return error;
    };
    if (status < 200 || status > 299) {
      throw refuse(new RemoteFetchError('bad_status', `the server at ${host} answered HTTP ${status}.`));
    }
    const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      throw refuse(new RemoteFetchError('bad_type', `the server at ${host} sent a compressed body, which is refused.`));
    }
    const declared = mediaTypeOf(response.headers['content-type']);
    if (!isUndeclared(declared) && !isAllowedType(declared, this.options.allowedTypes)) {
      throw refuse(new RemoteFetchError('bad_type', typeMessage(host, declared)));
    }
    const length = Number(response.headers['content-length'] ?? NaN);
    if (length > this.options.maxBytes) throw refuse(this.tooLarge(host));

    const bytes = await this.readCapped(response, host);
    const contentType = isUndeclared(declared) ? sniffMediaType(bytes) : declared;
    if (contentType === null || !isAllowedType(contentType, this.options.allowedTypes)) {
      throw new RemoteFetchError('bad_type', typeMessage(host, contentType ?? 'not recognised'));
    }
    const fileName = fileNameOf(response.headers['content-disposition'], target);
    return { bytes, contentType, fileName, finalUrl: target.href };
  }

  private async readCapped(response: http.IncomingMessage, host: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      // Leaving the loop destroys the response, and with it the socket.
      if (total > this.options.maxBytes) throw this.tooLarge(host);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  private tooLarge(host: string): RemoteFetchError {
    return new RemoteFetchError('too_large', `the file at ${host} is larger than ${this.options.maxBytes} bytes.`);
  }

  /** Runs `step`; anything it throws becomes a RemoteFetchError, except the caller's own abort. */
  private async guard<T>(
    target: URL,
    signal: AbortSignal | undefined,
    deadline: AbortSignal,
    step: () => Promise<T>,
  ): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof RemoteFetchError) throw error;
      if (deadline.aborted) {
        throw new RemoteFetchError(
          'timeout',
          `the server at ${target.host} took longer than ${this.options.timeoutMs} ms.`,
        );
      }
      throw new RemoteFetchError('unreachable', `the server at ${target.host} could not be reached or broke off.`);
    }
  }
}

function typeMessage(host: string, mediaType: string): string {
  return `the file at ${host} has a content type that is not accepted (${quotable(mediaType, 100)}).`;
}
