/**
 * The load generator: a separate process the harness forks (bench/harness/load-process.ts). It receives
 * one LoadJob per scenario over IPC, drives the targets (direct client, gateway builds) one after the
 * other, and answers with the scenario's table rows. Never run by hand.
 */
import type { LoadJob, LoadMessage, ScenarioOutcome } from '../common/messages';
import type { ScenarioParams } from '../common/scenarios';
import { FakeControl } from './fake-control';
import { solveInline, workerSolver } from './pow-solvers';
import { runBurst } from './scenario-burst';
import { runCapacity } from './scenario-capacity';
import { runOfficialApi } from './scenario-official-api';
import type { ScenarioContext } from './scenario-context';
import { runSlowReaders } from './scenario-slow-readers';
import { runStreaming } from './scenario-streaming';
import { runTtfb } from './scenario-ttfb';
import { targetRunner } from './targets';

function send(message: LoadMessage): void {
  process.send?.(message);
}

async function runJob(job: LoadJob): Promise<ScenarioOutcome> {
  // Real PoW (scenario 1): the gateway's own worker pool with the same threads. Trivial PoW: inline.
  const pool = job.params.kind === 'ttfb' ? workerSolver(job.powWorkers) : null;
  const runners = job.targets.map((spec) => targetRunner(spec, pool?.solve ?? solveInline));
  const ctx: ScenarioContext = {
    job,
    fake: new FakeControl(job.fakeUrl),
    runners,
    log: (text) => send({ type: 'log', text }),
  };
  try {
    return await runScenario(ctx, job.params);
  } finally {
    await Promise.all(runners.map((r) => r.close()));
    await pool?.close();
  }
}

function runScenario(ctx: ScenarioContext, params: ScenarioParams): Promise<ScenarioOutcome> {
  switch (params.kind) {
    case 'ttfb':
      return runTtfb(ctx, params);
    case 'streaming':
      return runStreaming(ctx, params);
    case 'capacity':
      return runCapacity(ctx, params);
    case 'burst':
      return runBurst(ctx, params);
    case 'slow-readers':
      return runSlowReaders(ctx, params);
    case 'official-api':
      return runOfficialApi(ctx, params);
  }
}

process.on('message', (job: LoadJob) => {
  runJob(job).then(
    (outcome) => send({ type: 'result', outcome }),
    (error: unknown) =>
      send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
