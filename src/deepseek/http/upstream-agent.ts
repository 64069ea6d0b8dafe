import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TransportTimeout } from './transport-errors';

/**
 * Keep-alive sockets that close after 15 s unused, or a second before the server's own `Keep-Alive: timeout=N`
 * when it announces one: node only honours that hint when the agent has a timeout. Without one, a socket the
 * server is closing just then gets reused, and the request dies with ECONNRESET. (A socket in use has the
 * transport's own idle timeout instead.)
 */
const keepAliveAgentOptions = { keepAlive: true, timeout: 15_000 };

export interface ExchangeOptions {
  /** Stops the request; once the headers are in, it cuts the body (and closes its socket). */
  signal?: AbortSignal;
  headersTimeoutMs: number;
  /** How long the body may stay silent before it is destroyed with TransportTimeout('IDLE_TIMEOUT'); never a total time. */
  idleTimeoutMs?: number;
}

/**
 * Requests to one origin over node's own http/https and a keep-alive agent, nothing in between: no proxy from
 * the environment (tokens go nowhere but the configured base URL), no redirects followed, no decompression.
 * The caller sends the headers, reads the raw IncomingMessage (any status) and judges it itself.
 * docs/decisions/0006 says why not axios.
 */
export class UpstreamAgent {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly protocol: string;
  private readonly hostname: string;
  private readonly port: string;

  constructor(origin: URL) {
    const secure = origin.protocol === 'https:';
    this.agent = secure ? new HttpsAgent(keepAliveAgentOptions) : new HttpAgent(keepAliveAgentOptions);
    this.send = secure ? httpsRequest : httpRequest;
    this.protocol = origin.protocol;
    // `[::1]` in a URL, `::1` for a socket.
    this.hostname = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = origin.port;
  }

  /**
   * Sends one request and resolves with the answer once its headers are in. Rejects with the signal's reason
   * when it aborts, a TransportTimeout('HEADERS_TIMEOUT') when the headers are late, or the socket's error.
   * Async so that a throw (an invalid header value, say) rejects like every other failure.
   */
  async exchange(
    path: string,
    method: string,
    headers: OutgoingHttpHeaders,
    body: string | Buffer | undefined,
    options: ExchangeOptions,
  ): Promise<IncomingMessage> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const { protocol, hostname, port, agent } = this;
    const request = this.send({ protocol, hostname, port, path, method, headers, agent });
    if (body !== undefined) request.setHeader('content-length', Buffer.byteLength(body));
    const answer = awaitAnswer(request, options);
    request.end(body);
    return answer;
  }

  /** Closes every socket, idle or not. */
  destroy(): void {
    this.agent.destroy();
  }
}

/**
 * The answer's headers, with the request's deadline, signal and idle timeout wired. A function of its own so
 * that the listeners, which live as long as the answer streams, do not hold the request's body and headers
 * (a prompt-sized string per open stream).
 */
function awaitAnswer(request: ClientRequest, options: ExchangeOptions): Promise<IncomingMessage> {
  const { signal, headersTimeoutMs, idleTimeoutMs } = options;
  return new Promise((resolve, reject) => {
    let answer: IncomingMessage | null = null;
    const onAbort = (): void => void (answer ?? request).destroy(signal?.reason as Error);
    const headersDeadline = setTimeout(
      () => request.destroy(new TransportTimeout('HEADERS_TIMEOUT')),
      headersTimeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    // Stays for the request's life: a socket error after the headers reaches the body as well.
    request.on('error', (error) => {
      if (answer) return;
      clearTimeout(headersDeadline);
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    request.once('response', (response: IncomingMessage) => {
      answer = response;
      clearTimeout(headersDeadline);
      if (signal) response.once('close', () => signal.removeEventListener('abort', onAbort));
      if (idleTimeoutMs) {
        request.setTimeout(idleTimeoutMs, () => response.destroy(new TransportTimeout('IDLE_TIMEOUT')));
      }
      resolve(response);
    });
  });
}
