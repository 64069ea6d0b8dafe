import { join } from 'node:path';
import { type LoadJob, type MetricRow, RELAY_LABEL, type TargetSpec } from '../common/messages';
import { benchApiKeys, type OfficialApiParams } from '../common/official-api-params';
import { SCENARIO_TITLES, scenarioParams } from '../common/scenarios';
import { type RunningChild, startChild } from './child-process';
import { freePort } from './free-port';
import { checkGoals } from './goals';
import { type RunningGateway, startGateway } from './processes';
import type { ScenarioReport } from './report';
import type { Run } from './scenario-runner';

const SCENARIO = 6;

/** Only what node needs (as processes.ts gives its children). */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

/** The fake official API (test/fake-official-api/main.ts), paced, accepting exactly `keys`. */
export async function startFakeOfficialApi(
  root: string,
  logDir: string,
  options: { keys: readonly string[]; tokenDelayMs: number; tokensPerAnswer: number },
): Promise<RunningChild & { url: string }> {
  const port = String(await freePort());
  const child = await startChild({
    name: 'fake official API',
    command: process.execPath,
    args: [
      '-r',
      'ts-node/register/transpile-only',
      'test/fake-official-api/main.ts',
      '--port',
      port,
      '--keys',
      options.keys.join(','),
      '--token-delay',
      String(options.tokenDelayMs),
      '--tokens-per-answer',
      String(options.tokensPerAnswer),
    ],
    cwd: root,
    env: baseEnv(),
    logFile: join(logDir, 'fake-official-api.log'),
    readyLine: /fake official API listening on (http:\/\/\S+)/,
  });
  return { ...child, url: child.ready };
}

/**
 * Scenario 6: the gateway in `UPSTREAM_MODE=api` in front of the fake official API against a client going
 * straight to the fake (load/scenario-official-api.ts), then the web path's CPU figure of scenario 2 beside
 * the API path's when scenario 2 ran earlier in the same invocation (`earlier`).
 */
export async function runOfficialApiScenario(run: Run, earlier: readonly ScenarioReport[]): Promise<ScenarioReport> {
  const params = scenarioParams(SCENARIO, run.options.quick, {}) as OfficialApiParams;
  run.say(`\n▶ scenario ${SCENARIO}: ${SCENARIO_TITLES[SCENARIO]}`);
  const keys = benchApiKeys(params.apiKeys);
  const fakeApi = await startFakeOfficialApi(run.root, run.runDir, {
    keys,
    tokenDelayMs: params.frameIntervalMs,
    tokensPerAnswer: params.frames,
  });
  const gatewayEnv: Record<string, string> = {
    UPSTREAM_MODE: 'api',
    DEEPSEEK_API_BASE_URL: fakeApi.url,
    DEEPSEEK_API_KEYS: keys.map((key) => `${key}=${params.keyConcurrency}`).join(','),
    ...run.options.gatewayEnv,
  };
  const gateways: RunningGateway[] = [];
  try {
    for (const build of run.builds) {
      gateways.push(
        await startGateway(build, run.probeJs, run.fake.url, gatewayEnv, {
          logDir: run.runDir,
          logLevel: run.options.gatewayLogLevel,
          powWorkers: run.powWorkers,
        }),
      );
    }
    const targets: TargetSpec[] = [
      { label: 'direct', kind: 'direct', baseUrl: fakeApi.url },
      ...gateways.map((g): TargetSpec => ({ label: g.label, kind: 'gateway', baseUrl: g.url, probeUrl: g.probeUrl })),
    ];
    const job: LoadJob = {
      scenario: SCENARIO,
      params,
      targets,
      fakeUrl: fakeApi.url,
      fakePid: fakeApi.pid,
      powWorkers: run.powWorkers,
    };
    const outcome = await run.load.run(job);
    const web = webPathRows(earlier, outcome.rows, targets);
    const shownEnv = {
      ...gatewayEnv,
      DEEPSEEK_API_KEYS: `<${keys.length} fake keys>=${params.keyConcurrency}`,
      DEEPSEEK_API_BASE_URL: '<fake official API>',
    };
    return {
      id: SCENARIO,
      title: SCENARIO_TITLES[SCENARIO],
      params: { ...params },
      gatewayEnv: { POW_WORKERS: String(run.powWorkers), LOG_LEVEL: run.options.gatewayLogLevel, ...shownEnv },
      rows: [...outcome.rows, ...web.rows],
      notes: [...outcome.notes, web.note],
      details: outcome.details,
      // The minimal relay is scenario 2's yardstick: it does not speak to the official API.
      notMeasured: [...(outcome.notMeasured ?? []), RELAY_LABEL],
      goals: checkGoals(SCENARIO, outcome.rows, 'gateway'),
    };
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await fakeApi.stop();
  }
}

/** Scenario 2's gateway CPU per 1000 frames (the web path) beside this scenario's, when scenario 2 ran. */
function webPathRows(
  earlier: readonly ScenarioReport[],
  rows: readonly MetricRow[],
  targets: readonly TargetSpec[],
): { rows: MetricRow[]; note: string } {
  const streaming = earlier.find((r) => r.id === 2);
  const web = streaming?.rows.find((r) => r.key === 's2.cpuPer1000');
  if (!web) {
    return {
      rows: [],
      note:
        'Web path: scenario 2 did not run in this invocation, so its CPU per 1000 frames is not shown; run ' +
        '--scenario 2,6 for both figures side by side.',
    };
  }
  const api = rows.find((r) => r.key === 's6.cpuPer1000');
  const webValues: Record<string, number | null> = {};
  const ratio: Record<string, number | null> = {};
  for (const { label, kind } of targets) {
    const w = kind === 'gateway' ? (web.values[label] ?? null) : null;
    const a = api?.values[label] ?? null;
    webValues[label] = w;
    ratio[label] = w !== null && a !== null && w > 0 ? a / w : null;
  }
  return {
    rows: [
      {
        key: 's6.webCpuPer1000',
        name: 'web path: gateway CPU per 1000 frames (scenario 2, this run)',
        unit: 'ms',
        values: webValues,
      },
      {
        key: 's6.apiOverWebCpu',
        name: 'API path ÷ web path, CPU per 1000 frames',
        unit: '×',
        values: ratio,
        decimals: 2,
      },
    ],
    note:
      `Web path figure: scenario 2's gateway row of this run (its own sizes: ${String(streaming?.params.streams)} ` +
      `streams × ${String(streaming?.params.frames)} frames; its requests include the web ` +
      'handshake: session, PoW); the API path has no handshake, so the ratio is what the whole request costs on each path.',
  };
}
