import { HttpService, type HttpModuleOptions } from '@nestjs/axios';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

const IDLE_SOCKET_MS = 15_000;

/**
 * The axios set-up of every upstream call (DeepSeekModule registers it with HttpModule). Each option turns
 * an axios convenience off, so that UpstreamTransport sees the raw answer and judges it itself:
 * - `validateStatus` accepts every status: the envelope and the content type classify (envelope.ts);
 * - `responseType: 'stream'` (repeated on each request, see UpstreamTransport) hands over node's own
 *   IncomingMessage, unwrapped, for JSON calls too: the body is read (and bounded) by the transport,
 *   pause/resume reach the socket, and destroying it closes the socket;
 * - `decompress: false` and no Accept-Encoding (see UpstreamTransport): no zlib stream in front of the body;
 * - `proxy: false`: HTTP(S)_PROXY and NO_PROXY are not read; tokens go nowhere but the configured base URL;
 * - `maxRedirects: 0`: node's http/https, not follow-redirects, and a redirect is an answer to classify;
 * - no axios timeout: the transport keeps its own first-byte and idle timeouts;
 * - no request or response transforms: the body is serialised once, by us.
 *
 * The agents close a kept-alive socket after `IDLE_SOCKET_MS` unused, or a second before the server's own
 * `Keep-Alive: timeout=N` when it announces one: node only honours that hint when the agent has a
 * timeout. Without one, a socket the server is closing just then gets reused, and the request dies with
 * ECONNRESET. (A socket in use has the transport's own idle timeout instead.)
 */
export function upstreamHttpOptions(): HttpModuleOptions {
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  return {
    adapter: 'http',
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    proxy: false,
    maxRedirects: 0,
    decompress: false,
    responseType: 'stream',
    validateStatus: () => true,
    timeout: 0,
    transformRequest: [],
    transformResponse: [],
  };
}

/** The same HttpService as the module's, for a transport made outside Nest (specs, benchmarks). */
export function createUpstreamHttp(): HttpService {
  return new HttpService(axios.create(upstreamHttpOptions()));
}

/** Closes the keep-alive sockets of an HttpService set up by upstreamHttpOptions. */
export function destroyAgents(http: HttpService): void {
  const { httpAgent, httpsAgent } = http.axiosRef.defaults as { httpAgent?: unknown; httpsAgent?: unknown };
  for (const agent of [httpAgent, httpsAgent]) {
    if (agent instanceof HttpAgent) agent.destroy();
  }
}
