import { type Agent, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

/** A response as node:http delivered it: status, headers and the body text, untouched. */
export interface RawResponse {
  /** 0 when no response came (the test dropped the request first). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
  /** The body ended early: the connection was cut, by either side, before the response was complete. */
  cut: boolean;
}

export interface RawRequestOptions {
  /** Default: POST when there is a body, GET when there is none. */
  method?: string;
  /** Sent as `Authorization: Bearer <tokens joined by ','>` unless `headers.authorization` is given. */
  tokens?: readonly string[];
  headers?: Record<string, string | string[]>;
  /** Fails the request when its socket is idle this long. Default: 20 s. */
  timeoutMs?: number;
  /** Default: a connection of its own. */
  agent?: Agent | false;
  /** Called with the body so far after each chunk; returning true drops the connection there. */
  dropWhen?: (textSoFar: string) => boolean;
  /** false: the response is never read, so the socket's buffers fill up as a stalled client's do. */
  read?: boolean;
}

/**
 * One request to `url` with node:http; resolves with the whole response, a cut one too (`cut`), and
 * rejects only when no response came. An object `body` is sent as JSON (`content-type:
 * application/json` unless `headers` say otherwise), a string or a Buffer as is.
 */
export function rawRequest(
  url: string,
  body?: string | Buffer | object,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return new RawExchange(url, body, options).response;
}

/** `rawRequest` watched as it arrives: the test can wait for part of the body, or drop the connection at any point. */
export function openRequest(
  url: string,
  body?: string | Buffer | object,
  options: RawRequestOptions = {},
): RawExchange {
  return new RawExchange(url, body, options);
}

/** One request in flight: what has arrived so far, and the means to wait for more or to leave. */
export class RawExchange {
  status = 0;
  headers: IncomingHttpHeaders = {};
  /** The body so far. */
  text = '';
  /** The exchange is over: the response ended, was cut, or was dropped. */
  settled = false;
  /** When the test dropped the connection (ms since epoch). */
  droppedAt: number | null = null;
  /** Resolves when the response headers are in. */
  readonly responded: Promise<void>;
  /** Resolves when the exchange is over; rejects when no response came and the test did not drop it. */
  readonly response: Promise<RawResponse>;
  private readonly req: ClientRequest;
  private res: IncomingMessage | null = null;
  private readonly waiters = new Set<() => void>();
  private resolveResponse!: (response: RawResponse) => void;
  private rejectResponse!: (error: Error) => void;
  private resolveResponded!: () => void;
  private rejectResponded!: (error: Error) => void;

  constructor(
    url: string,
    body: string | Buffer | object | undefined,
    private readonly options: RawRequestOptions,
  ) {
    this.response = new Promise(
      (resolve, reject) => ((this.resolveResponse = resolve), (this.rejectResponse = reject)),
    );
    this.responded = new Promise(
      (resolve, reject) => ((this.resolveResponded = resolve), (this.rejectResponded = reject)),
    );
    // Awaiting either is optional: a test that only drops the connection must not see an unhandled rejection.
    this.response.catch(() => undefined);
    this.responded.catch(() => undefined);
    const payload =
      body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const headers: Record<string, string | string[]> = {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.tokens ? { authorization: `Bearer ${options.tokens.join(',')}` } : {}),
      ...options.headers,
    };
    this.req = request(url, {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers,
      agent: options.agent ?? false,
    });
    this.req.on('response', (res) => this.onResponse(res));
    this.req.on('error', (error) => this.fail(error));
    this.req.setTimeout(options.timeoutMs ?? 20_000, () => {
      this.fail(new Error(`the request timed out; received so far: ${this.text.slice(0, 500)}`), true);
      this.res?.destroy();
      this.req.destroy();
    });
    this.req.end(payload);
  }

  /** Resolves once `predicate` holds on what arrived; rejects when the exchange is over first or after `timeoutMs`. */
  async until(predicate: (exchange: RawExchange) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.settled) throw new Error(`the response ended first: ${this.text.slice(0, 500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received so far: ${this.text.slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiters.add(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  /** Goes away without a word, as a crashed or impatient client does. */
  drop(): void {
    if (this.settled) return;
    this.droppedAt = Date.now();
    this.res?.destroy();
    this.req.destroy();
    this.finish(true);
  }

  private onResponse(res: IncomingMessage): void {
    this.res = res;
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    this.resolveResponded();
    res.on('end', () => this.finish(false));
    res.on('error', () => this.finish(true));
    res.on('close', () => this.finish(!res.complete));
    if (this.options.read === false) return;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.text += chunk;
      if (this.options.dropWhen?.(this.text)) this.drop();
      this.notify();
    });
  }

  /** Before the response (or on a timeout), the exchange fails; after it, an error only cuts the body. */
  private fail(error: Error, always = false): void {
    if (this.res && !always) return this.finish(true);
    if (this.settled) return;
    this.settled = true;
    this.rejectResponded(error);
    this.rejectResponse(error);
    this.notify();
  }

  private finish(cut: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectResponded(new Error('the test dropped the request before its response'));
    this.resolveResponse({
      status: this.status,
      headers: this.headers,
      text: this.text,
      json: parseJson(this.text),
      cut,
    });
    this.notify();
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
