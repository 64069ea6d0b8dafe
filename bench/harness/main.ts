/**
 * The gateway benchmark harness (issue 7): `npm run bench -- [--scenario N] [--quick] [--compare <ref>]`.
 *
 * Starts the fake upstream, the gateway build(s) (with a probe preloaded) and a load generator, each as
 * its own process, runs the scenarios (every figure for the direct client and the gateway(s) in the
 * same run), prints a table per scenario and writes everything to bench/results/bench-<time>.json.
 * See bench/README.md.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RELAY_LABEL } from '../common/messages';
import { Cleanup } from './cleanup';
import { HARNESS_USAGE, parseHarnessArgs } from './cli';
import {
  buildProbe,
  buildRef,
  buildWorkingTree,
  existingBuild,
  type GatewayBuild,
  removeScratchDir,
  scratchDir,
} from './gateway-builds';
import { describeMachine } from './machine';
import { LoadProcess, startFakeUpstream } from './processes';
import { renderMachine, renderScenario, type ScenarioReport } from './report';
import { finishRun } from './run-summary';
import { type Run, runScenario } from './scenario-runner';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const say = (text: string): void => void process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const options = parseHarnessArgs(process.argv.slice(2));
  if (options.help) return say(HARNESS_USAGE);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(RESULTS_DIR, 'runs', stamp);
  mkdirSync(runDir, { recursive: true });
  const machine = describeMachine();
  say(renderMachine(machine, machine.loadAverage));
  const mode = options.quick ? 'quick (smoke sizes)' : 'full';
  say(`Mode: ${mode}; scenarios ${options.scenarios.join(', ')}; logs in ${runDir}\n`);

  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  try {
    const buildDir = scratchDir();
    const builds: GatewayBuild[] = [];
    cleanup.add(() => removeScratchDir(buildDir));
    cleanup.add(() => builds.forEach((b) => b.cleanup()));
    say('building the gateway…');
    builds.push(options.gatewayDist ? existingBuild(options.gatewayDist) : buildWorkingTree(ROOT, buildDir));
    if (options.compare) builds.push(buildRef(ROOT, options.compare, say));
    for (const build of builds) say(`  ${build.label}: ${build.source}`);

    const fake = await startFakeUpstream(ROOT, runDir);
    cleanup.add(() => fake.stop());
    const load = new LoadProcess(ROOT, (text) => say(`  · ${text}`));
    cleanup.add(() => load.stop());
    const run: Run = {
      root: ROOT,
      options,
      machine,
      runDir,
      builds,
      probeJs: buildProbe(ROOT, buildDir),
      powWorkers: Number(process.env.POW_WORKERS ?? 2),
      fake,
      load,
      proxy: null,
      say,
    };
    cleanup.add(() => run.proxy?.stop());

    const labels = ['direct', RELAY_LABEL, ...builds.map((b) => b.label)];
    const reports: ScenarioReport[] = [];
    for (const id of options.scenarios) {
      const report = await runScenario(run, id, reports);
      reports.push(report);
      say(`\n${renderScenario(report, labels)}\n`);
    }
    const file = options.out ? resolve(options.out) : join(RESULTS_DIR, `bench-${stamp}.json`);
    if (!finishRun(run, reports, labels, { stamp, file })) process.exitCode = 2;
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
