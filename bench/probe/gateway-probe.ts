/**
 * Preloaded into the gateway under test (`node --require gateway-probe.js main.js`), so CPU, memory and
 * event-loop delay are measured inside the gateway without touching src/. It serves a tiny side HTTP
 * port (BENCH_PROBE_PORT, loopback only):
 *
 *   GET  /snapshot        ProbeSnapshot (probe-types.ts)
 *   POST /eld/reset       restart the event-loop delay histogram
 *   POST /gc              run a full GC when the process has --expose-gc ({ ok, ms }: how long it blocked)
 *   POST /profile/start   start the V8 CPU profiler (sampling)
 *   POST /profile/stop    stop it; the body is the file path the .cpuprofile is written to
 *   GET  /arrivals        { "<x-bench-marker>": wall-clock ms } when each marked request reached the server
 *   POST /arrivals/reset  forget them
 *
 * Only node built-ins: the harness transpiles this file on its own. Worker threads inherit --require,
 * so everything is skipped off the main thread. The server is unref'd and never keeps the gateway alive.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, Server, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import type { ProbeSnapshot } from './probe-types';

const NS_PER_MS = 1e6;
const MAX_ARRIVALS = 50_000;

/**
 * Notes when every request carrying `x-bench-marker` is handed to the gateway's HTTP server (the 'request'
 * event: headers parsed, before Express, guards and the account queue), on the wall clock of common/clock.ts.
 */
function recordArrivals(arrivals: Map<string, number>): void {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const marker = (args[0] as IncomingMessage).headers['x-bench-marker'];
      if (typeof marker === 'string' && arrivals.size < MAX_ARRIVALS) {
        arrivals.set(marker, performance.timeOrigin + performance.now());
      }
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof Server.prototype.emit;
}

function startProbe(port: number, resolutionMs: number): void {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let profiler: Session | null = null;
  const arrivals = new Map<string, number>();
  recordArrivals(arrivals);

  const snapshot = (): ProbeSnapshot => {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const has = histogram.count > 0;
    const delay = (ns: number): number => (has ? Math.max(0, ns / NS_PER_MS - resolutionMs) : 0);
    return {
      pid: process.pid,
      at: Date.now(),
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      eventLoopDelay: {
        count: histogram.count,
        min: delay(histogram.min),
        mean: delay(histogram.mean),
        p50: delay(histogram.percentile(50)),
        p99: delay(histogram.percentile(99)),
        max: delay(histogram.max),
        resolutionMs,
      },
    };
  };

  const post = (session: Session, method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );

  const startProfile = async (): Promise<void> => {
    if (profiler) return;
    profiler = new Session();
    profiler.connect();
    await post(profiler, 'Profiler.enable');
    await post(profiler, 'Profiler.start');
  };

  const stopProfile = async (path: string): Promise<void> => {
    const session = profiler;
    if (!session) throw new Error('the profiler is not running');
    profiler = null;
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: object };
    session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
  };

  const routes: Record<string, (body: string) => unknown> = {
    'GET /snapshot': () => snapshot(),
    'POST /eld/reset': () => {
      histogram.reset();
      return { ok: true };
    },
    'POST /gc': () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      const startedAt = performance.now();
      gc?.();
      return { ok: gc !== undefined, ms: performance.now() - startedAt };
    },
    'GET /arrivals': () => Object.fromEntries(arrivals),
    'POST /arrivals/reset': () => {
      arrivals.clear();
      return { ok: true };
    },
    'POST /profile/start': () => startProfile().then(() => ({ ok: true })),
    'POST /profile/stop': (body) => stopProfile(body.trim()).then(() => ({ ok: true })),
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const route = routes[`${req.method} ${req.url}`];
      const reply = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (!route) return reply(404, { error: 'no such probe route' });
      Promise.resolve()
        .then(() => route(Buffer.concat(chunks).toString('utf8')))
        .then(
          (value) => reply(200, value),
          (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
        );
    });
  };

  const server = createServer(handle);
  server.listen(port, '127.0.0.1');
  server.unref();
  server.on('error', (error) => process.stderr.write(`gateway probe: ${error.message}\n`));
}

const probePort = Number(process.env.BENCH_PROBE_PORT ?? 0);
if (isMainThread && probePort > 0) startProbe(probePort, Number(process.env.BENCH_PROBE_ELD_RESOLUTION_MS ?? 10));
