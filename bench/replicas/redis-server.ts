import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type RunningChild, startChild } from '../harness/child-process';
import { freePort } from '../harness/free-port';

/** Whether a `redis-server` binary is on the PATH. */
export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** `redis-server --version`'s first line, for the report. */
export function redisServerVersion(): string {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/**
 * A throwaway redis-server on 127.0.0.1 and a free port, without persistence (`--save ''`,
 * `--appendonly no`), logging into the run's directory. `stop()` ends it (SIGTERM).
 */
export async function startRedisServer(cwd: string, logDir: string): Promise<RunningChild & { url: string }> {
  const port = String(await freePort());
  const child = await startChild({
    name: 'redis-server',
    command: 'redis-server',
    args: ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    cwd,
    env: { PATH: process.env.PATH },
    logFile: join(logDir, 'redis-server.log'),
    readyLine: /Ready to accept connections/,
  });
  return { ...child, url: `redis://127.0.0.1:${port}` };
}

/** Calls per command since the server started (`INFO commandstats`), read over a connection of its own. */
export class RedisCommandCounter {
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  /** e.g. `{ eval: 1234, publish: 600, … }`; this reader's own INFO calls are left out. */
  async read(): Promise<Record<string, number>> {
    const text = await this.client.info('commandstats');
    const calls: Record<string, number> = {};
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] !== 'info') calls[match[1]] = Number(match[2]);
    }
    return calls;
  }

  close(): void {
    this.client.disconnect();
  }
}
