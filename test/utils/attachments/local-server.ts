import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  readonly host: string;
  readonly port: number;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * An HTTP server on a loopback address (Linux routes all of 127/8 to loopback, so 127.0.0.2 works too),
 * recording the paths it was asked for.
 */
export async function startLocalServer(host: string, handler: http.RequestListener, port = 0): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    host,
    port: actualPort,
    requests,
    url: (path) => `http://${host}:${actualPort}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function unusedPort(host: string): Promise<number> {
  const server = await startLocalServer(host, () => undefined);
  await server.close();
  return server.port;
}
