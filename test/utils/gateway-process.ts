import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
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

/**
 * Compiled once per test file, without type checks (`tsc --noEmit` does those): node starts the
 * compiled gateway in about 2 s, ts-node needs about 10 s per process.
 */
let build: { dir: string; mainJs: string } | undefined;

const running = new Set<ChildProcessWithoutNullStreams>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  if (build) removeBuild(build.dir);
});

/**
 * The real gateway (src/main.ts) as a child process on a free port of 127.0.0.1, with only PATH, HOME
 * and `env` in its environment (the developer's DEEPSEEK_TOKENS or REDIS_URL cannot change its mode).
 * Resolves once it logged that it listens; rejects with its output when it exits or hangs before.
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const { dir, mainJs } = compiledGateway();
  const child = spawn(process.execPath, ['--require', join(dir, 'exit-with-parent.js'), mainJs], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
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

function compiledGateway(): { dir: string; mainJs: string } {
  if (!build) {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-process-'));
    transpileSources(join(ROOT, 'src'), join(dir, 'src'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // The child's stdin is a pipe from this process: it ends when this process dies, even by SIGKILL.
    // Worker threads run --require too, and their stdin is empty.
    writeFileSync(
      join(dir, 'exit-with-parent.js'),
      [
        "if (require('node:worker_threads').isMainThread) {",
        "  process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));",
        '  process.stdin.resume();',
        '}',
        '',
      ].join('\n'),
    );
    build = { dir, mainJs: join(dir, 'src', 'main.js') };
  }
  return build;
}

/** As the project's tsconfig.json says (decorator metadata included), one file at a time. */
function transpileSources(from: string, to: string): void {
  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.convertCompilerOptionsFromJson((config as { compilerOptions: object }).compilerOptions, ROOT);
  const compilerOptions = { ...options, sourceMap: false };
  for (const file of sourceFiles(from)) {
    const { outputText } = ts.transpileModule(ts.sys.readFile(file) ?? '', { compilerOptions, fileName: file });
    const target = join(to, relative(from, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The node_modules symlink goes first, so nothing it points to is touched. */
function removeBuild(dir: string): void {
  try {
    unlinkSync(join(dir, 'node_modules'));
  } catch {
    // not created
  }
  rmSync(dir, { recursive: true, force: true });
}
