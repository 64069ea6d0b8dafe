import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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
