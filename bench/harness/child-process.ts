import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here. */
  logFile: string;
  /** Resolves once stdout prints a line matching this (the first group is returned). */
  readyLine?: RegExp;
  /** …or once this URL answers 2xx. */
  readyUrl?: string;
  timeoutMs?: number;
}

export interface RunningChild {
  name: string;
  pid: number;
  /** The readyLine's first group, if any. */
  ready: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/** Starts a process of the harness and waits until it is ready; kills it if it never gets there. */
export async function startChild(options: ChildOptions): Promise<RunningChild> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const running: RunningChild = {
    name: options.name,
    pid: child.pid ?? -1,
    ready: '',
    stop: () => stopChild(child),
  };
  try {
    running.ready = await waitReady(child, options);
  } catch (error) {
    await running.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message} (log: ${options.logFile})`, {
      cause: error,
    });
  }
  return running;
}

function waitReady(child: ChildProcess, options: ChildOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: Error | null, value = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => done(new Error('timed out')), options.timeoutMs ?? 60_000);
    child.once('exit', (code, signal) => done(new Error(`exited early (${signal ?? code})`)));
    child.once('error', (error) => done(error));
    if (options.readyLine) {
      const pattern = options.readyLine;
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        text = (text + chunk.toString('utf8')).slice(-4096);
        const match = pattern.exec(text);
        if (match) done(null, match[1] ?? match[0]);
      });
    }
    if (options.readyUrl) {
      const url = options.readyUrl;
      const poll = (): void => {
        if (settled) return;
        fetch(url).then(
          (response) => (response.ok ? done(null, url) : setTimeout(poll, 100)),
          () => setTimeout(poll, 100),
        );
      };
      poll();
    }
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
