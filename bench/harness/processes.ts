import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { type LoadJob, type LoadMessage, RELAY_LABEL, type ScenarioOutcome } from '../common/messages';
import { benchTokens } from '../common/scenarios';
import { type RunningChild, startChild } from './child-process';
import { freePort } from './free-port';
import type { GatewayBuild } from './gateway-builds';

const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

/** Only what node needs: a harness shell's DEEPSEEK_TOKENS or API_KEYS must not change the gateway's mode. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

export async function startFakeUpstream(root: string, logDir: string): Promise<RunningChild & { url: string }> {
  const port = String(await freePort());
  const script = [
    'test/fake-deepseek/main.ts',
    '--port',
    port,
    '--tokens',
    benchTokens(1).join(','),
    '--difficulty',
    '1000',
  ];
  const child = await startChild({
    name: 'fake upstream',
    command: process.execPath,
    args: [...TS_NODE, ...script],
    cwd: root,
    env: baseEnv(),
    logFile: join(logDir, 'fake-upstream.log'),
    readyLine: /listening on (http:\/\/\S+)/,
  });
  return { ...child, url: child.ready };
}

export async function startLatencyProxy(
  root: string,
  logDir: string,
  targetUrl: string,
  delayMs: number,
): Promise<RunningChild & { url: string; controlUrl: string }> {
  const [port, controlPort] = [await freePort(), await freePort()];
  const target = new URL(targetUrl);
  const child = await startChild({
    name: 'latency proxy',
    command: process.execPath,
    args: [
      ...TS_NODE,
      'bench/proxy/latency-proxy.ts',
      '--port',
      String(port),
      '--target',
      `${target.hostname}:${target.port}`,
      '--delay-ms',
      String(delayMs),
      '--control-port',
      String(controlPort),
    ],
    cwd: root,
    env: baseEnv(),
    logFile: join(logDir, 'latency-proxy.log'),
    readyLine: /latency proxy listening/,
  });
  return { ...child, url: `http://127.0.0.1:${port}`, controlUrl: `http://127.0.0.1:${controlPort}` };
}

export interface RunningGateway extends RunningChild {
  label: string;
  url: string;
  probeUrl: string;
}

export interface GatewayOptions {
  logDir: string;
  logLevel: string;
  powWorkers: number;
}

/** A gateway build with the probe preloaded, on its own port, in front of `upstreamUrl`. */
export async function startGateway(
  build: GatewayBuild,
  probeJs: string,
  upstreamUrl: string,
  scenarioEnv: Record<string, string>,
  options: GatewayOptions,
): Promise<RunningGateway> {
  const [port, probePort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: build.label,
    command: process.execPath,
    args: ['--expose-gc', '--require', probeJs, build.mainJs],
    cwd: join(build.mainJs, '..'),
    env: {
      ...baseEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DEEPSEEK_BASE_URL: upstreamUrl,
      LOG_LEVEL: options.logLevel,
      POW_WORKERS: String(options.powWorkers),
      BENCH_PROBE_PORT: String(probePort),
      // The load comes from one address: a per-client limit would measure the limiter, not the gateway.
      RATE_LIMIT_CHAT_PER_MINUTE: '0',
      RATE_LIMIT_NEW_TOKENS_PER_MINUTE: '0',
      ...scenarioEnv,
    },
    logFile: join(options.logDir, `${build.label.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`),
    readyUrl: `${url}/healthz`,
  });
  return { ...child, label: build.label, url, probeUrl: `http://127.0.0.1:${probePort}` };
}

/**
 * The minimal relay (bench/relay/minimal-relay.ts, scenario 2's yardstick) with the probe preloaded, as a
 * gateway is, in front of `upstreamUrl`.
 */
export async function startMinimalRelay(
  root: string,
  probeJs: string,
  upstreamUrl: string,
  logDir: string,
): Promise<RunningGateway> {
  const [port, probePort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: RELAY_LABEL,
    command: process.execPath,
    args: [
      '--expose-gc',
      '--require',
      probeJs,
      ...TS_NODE,
      'bench/relay/minimal-relay.ts',
      '--port',
      String(port),
      '--upstream',
      upstreamUrl,
    ],
    cwd: root,
    env: { ...baseEnv(), BENCH_PROBE_PORT: String(probePort) },
    logFile: join(logDir, 'minimal-relay.log'),
    readyUrl: `${url}/healthz`,
  });
  return { ...child, label: RELAY_LABEL, url, probeUrl: `http://127.0.0.1:${probePort}` };
}

/** The load generator process (bench/load/main.ts, over IPC); one job at a time. */
export class LoadProcess {
  private readonly child: ChildProcess;

  constructor(
    root: string,
    private readonly onLog: (text: string) => void,
  ) {
    this.child = fork(join(root, 'bench', 'load', 'main.ts'), [], {
      cwd: root,
      execArgv: [...TS_NODE, '--expose-gc'],
      env: baseEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  run(job: LoadJob): Promise<ScenarioOutcome> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: LoadMessage): void => {
        if (message.type === 'log') return this.onLog(message.text);
        cleanup();
        if (message.type === 'result') resolve(message.outcome);
        else reject(new Error(`load generator: ${message.message}`));
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`the load generator exited (${code})`));
      };
      const cleanup = (): void => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(job);
    });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
