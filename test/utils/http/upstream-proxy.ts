import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

/** Takes a request the proxy must not forward (it answers or drops it itself); false forwards it. */
export type Intercept = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Sits between the gateway and the fake upstream (set `target` to the fake's URL) and forwards every
 * request that `intercept` leaves alone, to produce what the fake alone cannot: a dropped connection
 * before any header, an answer that never ends.
 */
export class UpstreamProxy {
  target = '';
  private readonly server: Server;

  constructor(public intercept: Intercept = () => false) {
    this.server = createServer((req, res) => {
      if (!this.intercept(req, res)) this.forward(req, res);
    });
  }

  /** Resolves with the proxy's URL, for the gateway's DEEPSEEK_BASE_URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(`${this.target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // A cut answer stays cut: pipeline destroys our response when the fake drops its socket.
      pipeline(answer, res, () => undefined);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
