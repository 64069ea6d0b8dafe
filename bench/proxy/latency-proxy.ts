/**
 * A tiny TCP proxy that adds a fixed delay to every byte going from the client to the upstream, so
 * each HTTP call (JSON endpoints and the completion alike) costs one extra "round trip" of `--delay-ms`
 * for whoever goes through it: the gateway and the direct client see the same network. Responses
 * (SSE streams) flow back undelayed, so the pacing between frames is untouched.
 *
 *   ts-node --transpile-only bench/proxy/latency-proxy.ts --port P --target 127.0.0.1:9000 \
 *     --delay-ms 50 --control-port C
 *
 * Control (HTTP on --control-port): GET /answers → { "<bench marker>": <PoW answer> } for every
 * completion seen; GET /calls → ProxyCall[] (proxy-log.ts): when each request reached the proxy (before its
 * delay) and when its response head passed back; POST /reset clears both.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { wallClockMs } from '../common/clock';
import { PowAnswerScanner, requestPaths } from './pow-answer-scanner';
import { type ProxyLog, recordCall } from './proxy-log';

const RESPONSE_HEAD = Buffer.from('HTTP/1.1 ');

interface ProxyOptions {
  port: number;
  targetHost: string;
  targetPort: number;
  delayMs: number;
  controlPort: number;
}

function parseArgs(argv: readonly string[]): ProxyOptions {
  const value = (name: string): string => {
    const index = argv.indexOf(`--${name}`);
    if (index < 0 || index + 1 >= argv.length) throw new Error(`latency proxy: --${name} is required`);
    return argv[index + 1];
  };
  const [targetHost, targetPort] = value('target').split(':');
  return {
    port: Number(value('port')),
    targetHost,
    targetPort: Number(targetPort),
    delayMs: Number(value('delay-ms')),
    controlPort: Number(value('control-port')),
  };
}

function relay(client: Socket, options: ProxyOptions, log: ProxyLog): void {
  const upstream = connect(options.targetPort, options.targetHost);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const scanner = new PowAnswerScanner((marker, answer) => log.answers.set(marker, answer));
  // HTTP/1.1 without pipelining: responses come back in the order of the requests on this connection.
  const awaitingResponse: string[] = [];
  // Timers of one duration fire in the order they were set, so the byte order is kept.
  client.on('data', (chunk: Buffer) => {
    const at = wallClockMs();
    for (const path of requestPaths(chunk)) {
      recordCall(log, { at, path, direction: 'request' });
      awaitingResponse.push(path);
    }
    scanner.feed(chunk);
    setTimeout(() => {
      if (!upstream.destroyed) upstream.write(chunk);
    }, options.delayMs);
  });
  client.on('end', () => setTimeout(() => upstream.end(), options.delayMs));
  upstream.on('data', (chunk: Buffer) => {
    if (awaitingResponse.length > 0 && chunk.subarray(0, RESPONSE_HEAD.length).equals(RESPONSE_HEAD)) {
      recordCall(log, { at: wallClockMs(), path: awaitingResponse.shift()!, direction: 'response' });
    }
    if (!client.write(chunk)) {
      upstream.pause();
      client.once('drain', () => upstream.resume());
    }
  });
  upstream.on('end', () => client.end());
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', closeBoth);
  client.on('close', () => setTimeout(() => upstream.destroy(), options.delayMs));
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const log: ProxyLog = { answers: new Map(), calls: [] };
  const proxy = createServer((client) => relay(client, options, log));
  const control = createHttpServer((req, res) => {
    if (req.method === 'POST' && req.url === '/reset') {
      log.answers.clear();
      log.calls.length = 0;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/calls' ? log.calls : Object.fromEntries(log.answers)));
  });
  proxy.listen({ port: options.port, host: '127.0.0.1', backlog: 4096 }, () => {
    control.listen(options.controlPort, '127.0.0.1', () => {
      process.stdout.write(
        `latency proxy listening on 127.0.0.1:${options.port} → ${options.targetHost}:${options.targetPort}, ` +
          `+${options.delayMs} ms per call\n`,
      );
    });
  });
  const stop = (): void => process.exit(0);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
