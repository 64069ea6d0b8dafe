import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { compiledGateway } from './compiled-gateway';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** The tail of a child's output that is kept (a busy gateway logs every request). */
const OUTPUT_LIMIT = 256 * 1024;

export interface GatewayProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** Sends `signal` (default SIGKILL: a crash) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (the gateway drains), SIGKILL if it is not gone within 10 s; resolves once it is. */
  stop(): Promise<void>;
  /** What it printed so far (its tail), for a failing test's message. */
  output(): string;
}

const running = new Set<ChildProcessWithoutNullStreams>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The real gateway (src/main.ts) as a child process on a free port of 127.0.0.1, with only PATH, HOME
 * and `env` in its environment (the developer's DEEPSEEK_TOKENS or REDIS_URL cannot change its mode).
 * Resolves once it logged that it listens; rejects with its output when it exits or hangs before.
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const { mainJs, exitWithParent } = compiledGateway();
  const child = spawn(process.execPath, ['--require', exitWithParent, mainJs], {
    cwd: tmpdir(),
    env: {
      ...pick(process.env, ['PATH', 'HOME']),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      output += `[exited: ${signal ?? code}]\n`;
      resolve();
    }),
  );
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    const url = await listeningUrl(child, () => output);
    return {
      url,
      pid: child.pid ?? -1,
      kill,
      stop: async () => {
        const forced = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await kill('SIGTERM');
        clearTimeout(forced);
      },
      output: () => output,
    };
  } catch (error) {
    await kill('SIGKILL');
    throw new Error(`the gateway did not start: ${(error as Error).message}\n--- its output ---\n${output}`, {
      cause: error,
    });
  }
}

function pick(from: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (from[name] === undefined ? [] : [[name, from[name]]])));
}

/** The address of main.ts's boot line (`Listening on http://127.0.0.1:<port> …`, its `address` field in JSON). */
function listeningUrl(child: ChildProcessWithoutNullStreams, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no boot line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`it exited (${signal ?? code})`));
    const onData = (): void => {
      const address = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output());
      if (address) done(null, address[1]);
    };
    const done = (error: Error | null, url = ''): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      if (error) reject(error);
      else resolve(url);
    };
    child.once('exit', onExit);
    // Registered after the output buffer's listener, so output() already holds the chunk.
    child.stdout.on('data', onData);
  });
}
