import { wallClockMs } from '../common/clock';
import type { ScenarioOutcome } from '../common/messages';
import { benchTokens, type BurstParams } from '../common/scenarios';
import { summarize } from '../common/stats';
import { AccountFifo } from './account-fifo';
import { type BurstTimings, burstTimings } from './burst-timings';
import { describeTally, launchRamped, tallyErrors } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import type { StreamOutcome } from './stream-outcome';
import type { TargetRunner } from './targets';
import { warmUp } from './warm-up';

interface BurstResult extends BurstTimings {
  outcomes: StreamOutcome[];
  usage: PhaseUsage;
  relayCpuMs: number;
}

/**
 * Scenario 4: every request sent at once, over a few accounts with real per-account locks (the fake
 * refuses a second generation per account). Queue wait is measured the same way for both paths: from
 * the request leaving the client to the upstream receiving its chat_session/create (the fake's clock),
 * matched through the prompt's bench marker. The direct path queues in a perfect local FIFO.
 */
export async function runBurst(ctx: ScenarioContext, params: BurstParams): Promise<ScenarioOutcome> {
  const { fake, runners, job } = ctx;
  const tokens = benchTokens(params.accounts);
  const results = new Map<string, BurstResult>();
  for (const runner of runners) {
    await fake.prepare(params.accounts, params, false);
    await warmUp(runner, fake, params, tokens, params.accounts, { allTokens: runner.spec.kind === 'gateway' });
    await fake.prepare(params.accounts, params, false);
    ctx.log(`scenario 4: ${runner.spec.label}: ${params.requests} requests at once over ${params.accounts} accounts`);
    await runner.probe?.resetArrivals();
    // With --cpu-prof the gateway is profiled during its measured burst (the profiler adds a little CPU).
    const profiling = job.cpuProfilePath && runner.spec.kind === 'gateway' ? runner.probe : undefined;
    await profiling?.startProfile();
    const phase = await startPhase(runner, job.fakePid);
    const outcomes = await fire(runner, params, tokens);
    const usage = await phase.finish();
    if (profiling && job.cpuProfilePath) await profiling.stopProfile(job.cpuProfilePath);
    const relayCpuMs = runner.spec.kind === 'direct' ? usage.loadCpuMs : (usage.gatewayCpuMs ?? NaN);
    const arrivals = runner.probe ? await runner.probe.arrivals() : null;
    const timings = burstTimings(await fake.state(), outcomes, arrivals);
    results.set(runner.spec.label, { ...timings, outcomes, usage, relayCpuMs });
  }

  const n = params.requests;
  const completed = (r: BurstResult) => r.outcomes.filter((o) => o.ok && o.frames >= params.frames).length;
  const rejected = (r: BurstResult) => r.outcomes.filter((o) => o.error === 'http_429').length;
  const rows = new RowBuilder(results)
    .add('s4.completed', `completed in full (of ${n})`, 'count', completed, { decimals: 0 })
    .add('s4.rejected429', 'answered 429', 'count', rejected, { decimals: 0 })
    .add('s4.otherErrors', 'any other outcome', 'count', (r) => n - completed(r) - rejected(r), { decimals: 0 })
    .add('s4.completionRate', 'completion rate', '%', (r) => (completed(r) / n) * 100)
    .add('s4.waitP50', 'queue wait p50 (completed)', 'ms', (r) => summarize(r.queueWaitMs).p50, { ratio: true })
    .add('s4.waitP99', 'queue wait p99 (completed)', 'ms', (r) => summarize(r.queueWaitMs).p99, { ratio: true })
    .add('s4.waitMax', 'queue wait max (completed)', 'ms', (r) => summarize(r.queueWaitMs).max)
    .add('s4.intakeP50', '· sent → gateway has the request p50', 'ms', (r) => summarize(r.intakeMs).p50)
    .add('s4.intakeP99', '· sent → gateway has the request p99', 'ms', (r) => summarize(r.intakeMs).p99)
    .add('s4.insideP50', '· gateway has it → upstream session p50', 'ms', (r) => summarize(r.insideGatewayMs).p50)
    .add('s4.insideP99', '· gateway has it → upstream session p99', 'ms', (r) => summarize(r.insideGatewayMs).p99)
    .add('s4.rejectP50', 'time to 429 p50', 'ms', (r) => summarize(r.rejectMs).p50)
    .add('s4.busyRefusals', 'upstream "busy" refusals', 'count', (r) => r.busyRefusals, { decimals: 0 })
    .add('s4.relayCpu', 'relay process CPU, total', 'ms', (r) => r.relayCpuMs, { ratio: true, decimals: 0 })
    .add('s4.loadCpu', 'load generator CPU', 'ms', (r) => r.usage.loadCpuMs, { decimals: 0 })
    .add('s4.wall', 'burst wall time (makespan)', 'ms', (r) => r.usage.wallMs, { ratio: true, decimals: 0 })
    .add('s4.throughput', 'completed per second of makespan', '1/s', (r) => completed(r) / (r.usage.wallMs / 1000), {
      ratio: true,
    }).rows;

  const details: Record<string, unknown> = {};
  for (const [label, r] of results) {
    details[label] = {
      errors: tallyErrors(r.outcomes, params.frames),
      queueWait: summarize(r.queueWaitMs),
      intake: summarize(r.intakeMs),
      insideGateway: summarize(r.insideGatewayMs),
      reject: summarize(r.rejectMs),
      usage: r.usage,
    };
  }
  const notes = [
    `Queue timeout ${params.queueTimeoutMs} ms on both paths; the direct path's "429" is its local FIFO timing out ` +
      'with the clock started at the client, the gateway starts its clock once the request is inside.',
    "Rows marked · split the gateway's queue wait at the moment its HTTP server had the request (probe).",
    ...[...results].map(([label, r]) => `${label} outcomes: ${describeTally(tallyErrors(r.outcomes, params.frames))}`),
  ];
  return { rows, details, notes };
}

async function fire(runner: TargetRunner, params: BurstParams, tokens: readonly string[]): Promise<StreamOutcome[]> {
  const marker = (i: number) => `s4:${runner.spec.label}:${i}`;
  if (runner.spec.kind === 'gateway') return launchRamped(params.requests, 0, (i) => runner.stream(tokens, marker(i)));
  const fifo = new AccountFifo(tokens);
  return launchRamped(params.requests, 0, async (i) => {
    const sentAtWall = wallClockMs();
    const startedAt = performance.now();
    const account = await fifo.acquire(params.queueTimeoutMs);
    if (account === null) {
      const endedAt = performance.now();
      return {
        marker: marker(i),
        ok: false,
        status: 429,
        error: 'http_429',
        sentAtWall,
        startedAt,
        headersAt: endedAt,
        firstTokenAt: null,
        endedAt,
        frames: 0,
      };
    }
    try {
      return { ...(await runner.stream([account], marker(i))), sentAtWall, startedAt };
    } finally {
      fifo.release(account);
    }
  });
}
