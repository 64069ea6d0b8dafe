import { join } from 'node:path';
import { type LoadJob, RELAY_LABEL, type TargetSpec } from '../common/messages';
import {
  type ScenarioId,
  SCENARIO_TITLES,
  scenarioGatewayEnv,
  scenarioParams,
  type ScenarioParams,
} from '../common/scenarios';
import type { RunningChild } from './child-process';
import type { HarnessOptions } from './cli';
import type { GatewayBuild } from './gateway-builds';
import { checkGoals } from './goals';
import { runOfficialApiScenario } from './official-api-scenario';
import { descriptorsNeeded, type MachineInfo } from './machine';
import { type LoadProcess, type RunningGateway, startGateway, startLatencyProxy, startMinimalRelay } from './processes';
import type { ScenarioReport } from './report';

/** Everything a scenario needs from the run: options, builds, the long-lived processes. */
export interface Run {
  root: string;
  options: HarnessOptions;
  machine: MachineInfo;
  runDir: string;
  builds: GatewayBuild[];
  probeJs: string;
  powWorkers: number;
  fake: RunningChild & { url: string };
  load: LoadProcess;
  /** Started by the first scenario that needs it (scenario 1). */
  proxy: (RunningChild & { url: string; controlUrl: string }) | null;
  say(text: string): void;
}

export const CPU_PROFILE_FILE = 'gateway-scenario2.cpuprofile';

/** Starts the gateway(s) (and, for scenario 2, the minimal relay) with the scenario's environment, has the load process run it, stops them. */
export async function runScenario(
  run: Run,
  id: ScenarioId,
  earlier: readonly ScenarioReport[] = [],
): Promise<ScenarioReport> {
  if (id === 6) return runOfficialApiScenario(run, earlier);
  const params = fitToDescriptorLimit(
    scenarioParams(id, run.options.quick, { capacityStreams: run.options.capacityStreams }),
    run,
  );
  run.say(`\n▶ scenario ${id}: ${SCENARIO_TITLES[id]}`);
  let upstream = run.fake.url;
  if (params.kind === 'ttfb') {
    run.proxy ??= await startLatencyProxy(run.root, run.runDir, run.fake.url, params.addedLatencyMs);
    upstream = run.proxy.url;
  }
  const gatewayEnv = { ...scenarioGatewayEnv(params), ...run.options.gatewayEnv };
  const gateways: RunningGateway[] = [];
  try {
    for (const build of run.builds) {
      gateways.push(
        await startGateway(build, run.probeJs, upstream, gatewayEnv, {
          logDir: run.runDir,
          logLevel: run.options.gatewayLogLevel,
          powWorkers: run.powWorkers,
        }),
      );
    }
    // Scenario 2 also measures the minimal relay, after the direct client and before the gateway(s).
    const relay =
      params.kind === 'streaming' ? await startMinimalRelay(run.root, run.probeJs, upstream, run.runDir) : null;
    if (relay) gateways.push(relay);
    const targets: TargetSpec[] = [
      { label: 'direct', kind: 'direct', baseUrl: upstream },
      ...(relay ? [{ label: relay.label, kind: 'relay' as const, baseUrl: relay.url, probeUrl: relay.probeUrl }] : []),
      ...gateways
        .filter((g) => g !== relay)
        .map((g): TargetSpec => ({ label: g.label, kind: 'gateway', baseUrl: g.url, probeUrl: g.probeUrl })),
    ];
    const job: LoadJob = {
      scenario: id,
      params,
      targets,
      fakeUrl: run.fake.url,
      fakePid: run.fake.pid,
      proxyControlUrl: run.proxy?.controlUrl,
      powWorkers: run.powWorkers,
      cpuProfilePath:
        run.options.cpuProf && (id === 2 || id === 4)
          ? join(run.runDir, CPU_PROFILE_FILE.replace('2', String(id)))
          : undefined,
    };
    const outcome = await run.load.run(job);
    return {
      id,
      title: SCENARIO_TITLES[id],
      params: { ...params },
      gatewayEnv: { POW_WORKERS: String(run.powWorkers), LOG_LEVEL: run.options.gatewayLogLevel, ...gatewayEnv },
      rows: outcome.rows,
      notes: outcome.notes,
      details: outcome.details,
      notMeasured: relay ? outcome.notMeasured : [...(outcome.notMeasured ?? []), RELAY_LABEL],
      goals: checkGoals(id, outcome.rows, 'gateway'),
    };
  } finally {
    for (const gateway of gateways) await gateway.stop();
  }
}

/** Scenario 3 needs two descriptors per stream in the gateway: fewer streams, and say so, if the limit is low. */
function fitToDescriptorLimit(params: ScenarioParams, run: Run): ScenarioParams {
  const limit = run.machine.openFilesLimit;
  if (params.kind !== 'capacity' || limit === null || limit >= descriptorsNeeded(params.streams)) return params;
  const streams = Math.max(1, Math.floor((limit - 512) / 2));
  run.say(
    `!! the open files limit is ${limit} (hard ${run.machine.openFilesHardLimit ?? 'unknown'}): ${params.streams} ` +
      `streams need about ${descriptorsNeeded(params.streams)} descriptors. Running ${streams} streams instead; ` +
      `raise the hard limit (ulimit -Hn 8192 as root, or limits.conf / LimitNOFILE) to test ${params.streams}.`,
  );
  return { ...params, streams };
}
