import type { ScenarioOutcome } from '../common/messages';
import { benchTokens, type StreamingParams } from '../common/scenarios';
import { SampleBuffer, summarize, type Summary } from '../common/stats';
import { countErrors, describeTally, failureSamples, launchRamped, sleep, tallyErrors } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import { GapRecorder, type StreamOutcome } from './stream-outcome';
import type { TargetRunner } from './targets';
import { warmUp } from './warm-up';

interface StreamingResult {
  outcomes: StreamOutcome[];
  frames: number;
  gaps: Summary;
  usage: PhaseUsage;
  failures: ReturnType<typeof failureSamples>;
  /** CPU of the process doing the relay work: the gateway, or the direct client itself. */
  relayCpuMs: number;
}

/**
 * Scenario 2: many concurrent paced streams. Per target: inter-chunk gaps as the client sees them, the
 * relaying process's CPU for the whole requests (handshake included) per 1000 frames, and the gateway's
 * event-loop delay. The direct client's CPU is the load process's own (it does the upstream work there).
 */
export async function runStreaming(ctx: ScenarioContext, params: StreamingParams): Promise<ScenarioOutcome> {
  const { fake, runners, job } = ctx;
  const tokens = benchTokens(params.accounts);
  await fake.prepare(params.accounts, params, true);

  const results = new Map<string, StreamingResult>();
  for (const runner of runners) {
    await warmUp(runner, fake, params, tokens, Math.min(params.streams, 50));
    ctx.log(`scenario 2: ${runner.spec.label}: ${params.streams} streams × ${params.frames} frames`);
    results.set(runner.spec.label, await measure(runner, params, tokens, job.fakePid));
  }
  const profiled = runners.find((r) => r.spec.kind === 'gateway' && r.probe);
  if (job.cpuProfilePath && profiled?.probe) {
    ctx.log(`scenario 2: profiling ${profiled.spec.label} in an extra, unmeasured round`);
    await profiled.probe.startProfile();
    await launchRamped(params.streams, params.rampMs, (i) =>
      profiled.stream([tokens[i % tokens.length]], `s2:profile:${i}`),
    );
    await profiled.probe.stopProfile(job.cpuProfilePath);
  }

  const directLabel = runners[0].spec.label;
  const expected = params.streams * params.frames;
  const rows = new RowBuilder(results)
    .add('s2.frames', `text frames received (of ${expected})`, 'count', (r) => r.frames, { decimals: 0 })
    .add('s2.errors', 'failed or short streams', 'count', (r) => countErrors(tallyErrors(r.outcomes, params.frames)), {
      decimals: 0,
    })
    .add('s2.gapP50', 'inter-chunk gap p50', 'ms', (r) => r.gaps.p50, { decimals: 2 })
    .add('s2.gapP99', 'inter-chunk gap p99', 'ms', (r) => r.gaps.p99, { decimals: 2 })
    .add('s2.gapMax', 'inter-chunk gap max', 'ms', (r) => r.gaps.max, { decimals: 1 })
    .addDifference('s2.addedGapP50', 'added inter-chunk latency p50', 'ms', (r) => r.gaps.p50, directLabel)
    .addDifference('s2.addedGapP99', 'added inter-chunk latency p99', 'ms', (r) => r.gaps.p99, directLabel)
    .add('s2.cpuPer1000', 'relay CPU per 1000 frames (whole requests)', 'ms', (r) => per1000(r.relayCpuMs, r.frames), {
      ratio: true,
    })
    .add('s2.relayCpu', 'relay process CPU, total', 'ms', (r) => r.relayCpuMs, { ratio: true, decimals: 0 })
    .add('s2.eldP99', 'gateway event-loop delay p99', 'ms', (r) => r.usage.gatewayEventLoopDelay?.p99 ?? null, {
      decimals: 2,
    })
    .add('s2.eldMax', 'gateway event-loop delay max', 'ms', (r) => r.usage.gatewayEventLoopDelay?.max ?? null)
    .add('s2.loadCpu', 'load generator CPU (gateway rows: client only)', 'ms', (r) => r.usage.loadCpuMs, {
      decimals: 0,
    })
    .add('s2.loadEldP99', 'load generator event-loop delay p99', 'ms', (r) => r.usage.loadEventLoopDelayP99Ms, {
      decimals: 2,
    })
    .add('s2.fakeCpu', 'fake upstream CPU', 'ms', (r) => r.usage.fakeCpuMs, { decimals: 0 })
    .add('s2.wall', 'phase wall time', 'ms', (r) => r.usage.wallMs, { decimals: 0 }).rows;

  const details: Record<string, unknown> = {};
  for (const [label, r] of results) {
    details[label] = {
      errors: tallyErrors(r.outcomes, params.frames),
      failures: r.failures,
      gaps: r.gaps,
      usage: r.usage,
    };
  }
  const notes = [
    'Event-loop delay: beyond the 10 ms sampling interval (the perf_hooks histogram records the interval itself).',
  ];
  for (const [label, r] of results) {
    notes.push(`${label} errors: ${describeTally(tallyErrors(r.outcomes, params.frames))}`);
  }
  if (job.cpuProfilePath && profiled) notes.push(`CPU profile of ${profiled.spec.label}: ${job.cpuProfilePath}`);
  return { rows, details, notes };
}

async function measure(
  runner: TargetRunner,
  params: StreamingParams,
  tokens: readonly string[],
  fakePid: number,
): Promise<StreamingResult> {
  const gapBuffer = new SampleBuffer();
  const phase = await startPhase(runner, fakePid);
  const startedAt = performance.now();
  const outcomes = await launchRamped(params.streams, params.rampMs, (i) =>
    runner.stream([tokens[i % tokens.length]], `s2:${runner.spec.label}:${i}`, new GapRecorder(gapBuffer)),
  );
  await sleep(100); // let the gateway finish its bookkeeping inside the window
  const usage = await phase.finish();
  const frames = outcomes.reduce((sum, o) => sum + o.frames, 0);
  const relayCpuMs = runner.spec.kind === 'direct' ? usage.loadCpuMs : (usage.gatewayCpuMs ?? NaN);
  const failures = failureSamples(outcomes, startedAt);
  return { outcomes, frames, gaps: summarize(gapBuffer.values()), usage, relayCpuMs, failures };
}

export const per1000 = (cpuMs: number, frames: number): number => (frames > 0 ? (cpuMs / frames) * 1000 : NaN);
