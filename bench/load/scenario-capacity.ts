import type { ScenarioOutcome } from '../common/messages';
import { benchTokens, type CapacityParams } from '../common/scenarios';
import { summarize } from '../common/stats';
import { countErrors, describeTally, failureSamples, launchRamped, sleep, tallyErrors } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import { per1000 } from './streaming-phase';
import type { StreamOutcome } from './stream-outcome';
import type { TargetRunner } from './targets';
import { warmUp } from './warm-up';

const MB = 1024 * 1024;

interface MemorySample {
  /** ms since the phase started. */
  t: number;
  open: number;
  /** The relaying process: the gateway, or the load process for the direct client. */
  rss: number;
  heapUsed: number;
}

interface CapacityResult {
  outcomes: StreamOutcome[];
  usage: PhaseUsage;
  baseline: MemorySample;
  samples: MemorySample[];
  /** Most streams open at once. */
  maxOpen: number;
  /** Medians over the plateau: the samples with at least 95% of maxOpen streams open. */
  plateau: MemorySample;
  frames: number;
  failures: ReturnType<typeof failureSamples>;
  relayCpuMs: number;
}

/**
 * Scenario 3: as many concurrent slow streams as asked for, opened over a ramp and held. Reports errors,
 * the most streams open at once, memory per open stream (RSS and heap growth over the idle baseline, median
 * over the samples taken while most streams were open) and the gateway's event-loop delay.
 */
export async function runCapacity(ctx: ScenarioContext, params: CapacityParams): Promise<ScenarioOutcome> {
  const { fake, runners, job } = ctx;
  const tokens = benchTokens(params.accounts);
  await fake.prepare(params.accounts, params, true);
  const results = new Map<string, CapacityResult>();
  for (const runner of runners) {
    await warmUp(runner, fake, params, tokens, Math.min(params.streams, 100));
    ctx.log(`scenario 3: ${runner.spec.label}: ${params.streams} slow streams`);
    results.set(runner.spec.label, await measure(runner, params, tokens, job.fakePid));
  }

  const expected = params.frames;
  const rows = new RowBuilder(results)
    .add('s3.maxOpen', `most streams open at once (of ${params.streams})`, 'count', (r) => r.maxOpen, { decimals: 0 })
    .add(
      's3.completed',
      'streams completed in full',
      'count',
      (r) => r.outcomes.filter((o) => o.ok && o.frames >= expected).length,
      {
        decimals: 0,
      },
    )
    .add('s3.errors', 'failed or short streams', 'count', (r) => countErrors(tallyErrors(r.outcomes, expected)), {
      decimals: 0,
    })
    .add(
      's3.rssPerStream',
      'RSS growth per open stream',
      'KB',
      (r) => perStream(r.plateau.rss - r.baseline.rss, r.plateau.open),
      {
        ratio: true,
      },
    )
    .add(
      's3.heapPerStream',
      'heap growth per open stream',
      'KB',
      (r) => perStream(r.plateau.heapUsed - r.baseline.heapUsed, r.plateau.open),
      { ratio: true },
    )
    .add('s3.rssBaseline', 'RSS idle (after warm-up)', 'MB', (r) => r.baseline.rss / MB)
    .add('s3.rssPlateau', 'RSS with most streams open (median)', 'MB', (r) => r.plateau.rss / MB)
    .add('s3.eldP99', 'gateway event-loop delay p99', 'ms', (r) => r.usage.gatewayEventLoopDelay?.p99 ?? null, {
      decimals: 2,
    })
    .add('s3.eldMax', 'gateway event-loop delay max', 'ms', (r) => r.usage.gatewayEventLoopDelay?.max ?? null)
    .add('s3.cpuPer1000', 'relay CPU per 1000 frames (whole requests)', 'ms', (r) => per1000(r.relayCpuMs, r.frames), {
      ratio: true,
    })
    .add('s3.loadCpu', 'load generator CPU', 'ms', (r) => r.usage.loadCpuMs, { decimals: 0 })
    .add('s3.loadEldP99', 'load generator event-loop delay p99', 'ms', (r) => r.usage.loadEventLoopDelayP99Ms, {
      decimals: 2,
    })
    .add('s3.wall', 'phase wall time', 'ms', (r) => r.usage.wallMs, { decimals: 0 }).rows;

  const details: Record<string, unknown> = {};
  for (const [label, r] of results) {
    details[label] = {
      errors: tallyErrors(r.outcomes, expected),
      baseline: r.baseline,
      maxOpen: r.maxOpen,
      plateau: r.plateau,
      samples: r.samples,
      failures: r.failures,
      usage: r.usage,
    };
  }
  const notes = [
    'Direct rows: memory is the load process holding the upstream streams itself (a reference, not a target).',
    'Event-loop delay: beyond the 10 ms sampling interval (the perf_hooks histogram records the interval itself).',
    ...[...results].map(([label, r]) => `${label} errors: ${describeTally(tallyErrors(r.outcomes, expected))}`),
  ];
  return { rows, details, notes };
}

async function measure(
  runner: TargetRunner,
  params: CapacityParams,
  tokens: readonly string[],
  fakePid: number,
): Promise<CapacityResult> {
  const memory = memoryReader(runner);
  if (runner.probe) await runner.probe.collectGarbage();
  else (globalThis as { gc?: () => void }).gc?.();
  await sleep(200);
  const baseline: MemorySample = { t: 0, open: 0, ...(await memory()) };
  const phase = await startPhase(runner, fakePid);
  const startedAt = performance.now();
  let open = 0;
  const samples: MemorySample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rss, heapUsed } = await memory();
      samples.push({ t: Math.round(performance.now() - startedAt), open, rss, heapUsed });
      await sleep(params.sampleEveryMs);
    }
  })();
  const hooks = { onOpen: () => void open++, onClose: () => void open-- };
  const outcomes = await launchRamped(params.streams, params.rampMs, (i) =>
    runner.stream([tokens[i % tokens.length]], `s3:${runner.spec.label}:${i}`, hooks),
  );
  sampling = false;
  await sampler;
  await sleep(100);
  const usage = await phase.finish();
  const maxOpen = samples.reduce((max, s) => Math.max(max, s.open), 0);
  const plateau = plateauMedians(samples, maxOpen, baseline);
  const frames = outcomes.reduce((sum, o) => sum + o.frames, 0);
  const relayCpuMs = runner.spec.kind === 'direct' ? usage.loadCpuMs : (usage.gatewayCpuMs ?? NaN);
  const failures = failureSamples(outcomes, startedAt);
  return { outcomes, usage, baseline, samples, maxOpen, plateau, frames, relayCpuMs, failures };
}

/** One memory sample is noisy (GC timing): the medians over every sample taken with ≥ 95% of the most streams open. */
function plateauMedians(samples: readonly MemorySample[], maxOpen: number, baseline: MemorySample): MemorySample {
  const onPlateau = samples.filter((s) => maxOpen > 0 && s.open >= 0.95 * maxOpen);
  if (onPlateau.length === 0) return baseline;
  const med = (pick: (s: MemorySample) => number) => summarize(onPlateau.map(pick)).p50;
  return { t: med((s) => s.t), open: med((s) => s.open), rss: med((s) => s.rss), heapUsed: med((s) => s.heapUsed) };
}

function memoryReader(runner: TargetRunner): () => Promise<{ rss: number; heapUsed: number }> {
  const probe = runner.probe;
  if (probe) {
    return async () => {
      const { rss, heapUsed } = await probe.snapshot();
      return { rss, heapUsed };
    };
  }
  return () => {
    const { rss, heapUsed } = process.memoryUsage();
    return Promise.resolve({ rss, heapUsed });
  };
}

const perStream = (bytes: number, streams: number): number => (streams > 0 ? bytes / streams / 1024 : NaN);
