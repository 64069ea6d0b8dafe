import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';

/** Whether a `redis-server` binary is on the PATH (`.ci/run` installs Debian's when it is missing). */
export const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;

/** `describe` when redis-server is there; otherwise a skipped suite that says why. */
export const describeWithRedis: jest.Describe = HAVE_REDIS
  ? describe
  : (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: no redis-server on this machine; apt-get install redis-server)`,
        fn,
      )) as jest.Describe);

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: as a crash); `start()` brings it back on the same port, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server on 127.0.0.1 and a free port, without persistence. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
    const deadline = Date.now() + 5_000;
    try {
      for (;;) {
        try {
          if (probe.status !== 'ready') await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill(signal);
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, kill: () => kill('SIGKILL'), stop: () => kill('SIGTERM') };
}
