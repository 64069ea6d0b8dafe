import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on `host`:`port` (0: a free port) and resolves with the port it got and its base URL. */
export function listenOn(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      const bound = (server.address() as AddressInfo).port;
      resolve({ port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` });
    });
  });
}
