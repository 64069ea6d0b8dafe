import type { Dispatcher } from 'undici';
import type { ScenarioOutcome } from '../common/messages';
import { benchApiKeys, type OfficialApiParams } from '../common/official-api-params';
import { percentileOfSorted, SampleBuffer, summarize, type Summary } from '../common/stats';
import { cpuBetween } from '../probe/probe-client';
import { gatewayStream } from './gateway-stream';
import { countErrors, describeTally, failureSamples, launchRamped, sleep, tallyErrors } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import { per1000 } from './streaming-phase';
import { GapRecorder, type StreamHooks, type StreamOutcome } from './stream-outcome';
import { benchAgent, type TargetRunner } from './targets';

/**
 * Scenario 6: the official-API path. The same OpenAI body goes straight to the fake official API (the
 * direct target: `POST /v1/chat/completions` with one of its keys) and through the gateway in
 * `UPSTREAM_MODE=api` (open mode, no client key). (1) Latency: one request at a time, the targets taking
 * turns (which goes first alternates), short answers; first content token and total time. (2) CPU: many
 * concurrent paced streams through each target; the gateway's CPU (probe) per 1000 relayed frames and its RSS.
 */

/** One target as this scenario drives it: its own keep-alive agent and the authorization it needs. */
interface ApiTarget {
  runner: TargetRunner;
  label: string;
  stream(marker: string, body: Record<string, unknown>, hooks?: StreamHooks): Promise<StreamOutcome>;
  fresh(): Promise<void>;
  close(): Promise<void>;
}

function apiTarget(runner: TargetRunner, key: string): ApiTarget {
  let agent: Dispatcher & { close(): Promise<void> } = benchAgent();
  // gatewayStream posts to <base>/v1/chat/completions, which the fake also serves; the gateway (open mode)
  // ignores the client's bearer, the fake checks it.
  const tokens = [runner.spec.kind === 'direct' ? key : 'bench-client'];
  return {
    runner,
    label: runner.spec.label,
    stream: (marker, body, hooks) =>
      gatewayStream(agent, runner.spec.baseUrl, tokens, marker, hooks, { bodyFields: body }),
    async fresh() {
      const old = agent;
      agent = benchAgent();
      await old.close();
    },
    close: () => agent.close(),
  };
}

/** Both targets ask for usage too, so the fake does the same work for either (the gateway always asks). */
const USAGE = { stream_options: { include_usage: true } };

/** The usual summary plus p95 (the latency figures are p50/p95). */
type Spread = Summary & { p95: number };

function spread(values: readonly number[]): Spread {
  const sorted = Float64Array.from(values).sort();
  return { ...summarize(sorted), p95: percentileOfSorted(sorted, 95) };
}

interface LatencyResult {
  ttft: Spread;
  total: Spread;
  /** Per sample i: this target − direct, for the sample both had (gateways only). */
  addedTtft: Spread | null;
  addedTotal: Spread | null;
  errors: Record<string, number>;
  /** The gateway's CPU (probe) over the sampling loop ÷ its samples: what one short request costs it. */
  gatewayCpuPerRequestMs: number | null;
  samples: { ttft: number; total: number }[];
}

interface CpuResult {
  outcomes: StreamOutcome[];
  frames: number;
  gaps: Summary;
  usage: PhaseUsage;
  rssIdleMb: number | null;
  rssPeakMb: number | null;
  failures: ReturnType<typeof failureSamples>;
}

const MB = 1024 * 1024;

export async function runOfficialApi(ctx: ScenarioContext, params: OfficialApiParams): Promise<ScenarioOutcome> {
  const [key] = benchApiKeys(params.apiKeys);
  const targets = ctx.runners.map((runner) => apiTarget(runner, key));
  try {
    const latency = await measureLatency(ctx, targets, params);
    const cpu = new Map<string, CpuResult>();
    for (const target of targets) {
      ctx.log(`scenario 6: ${target.label}: ${params.streams} streams × ${params.frames} frames`);
      cpu.set(target.label, await measureCpu(ctx, target, params));
    }
    return outcome(latency, cpu, params, targets[0].label);
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
}

async function measureLatency(
  ctx: ScenarioContext,
  targets: readonly ApiTarget[],
  params: OfficialApiParams,
): Promise<Map<string, LatencyResult>> {
  const body = { ...USAGE, max_tokens: params.latencyFrames };
  ctx.log(
    `scenario 6: latency, one request at a time, ${params.latencyWarmup} warm-ups + ${params.latencySamples} ` +
      `samples per target, ${params.latencyFrames}-frame answers`,
  );
  for (let i = 0; i < params.latencyWarmup; i++) {
    for (const target of targets) await target.stream(`s6:warm:${target.label}:${i}`, body);
  }
  const outcomes = new Map<string, StreamOutcome[]>(targets.map((t) => [t.label, []]));
  const before = await Promise.all(
    targets.map((t) => (t.runner.probe ? t.runner.probe.snapshot() : Promise.resolve(null))),
  );
  for (let i = 0; i < params.latencySamples; i++) {
    // Rotate the order so no target always runs right after another on a warm connection.
    const order = targets.map((_, k) => targets[(k + i) % targets.length]);
    for (const target of order) {
      outcomes.get(target.label)?.push(await target.stream(`s6:lat:${target.label}:${i}`, body));
    }
  }
  const after = await Promise.all(
    targets.map((t) => (t.runner.probe ? t.runner.probe.snapshot() : Promise.resolve(null))),
  );
  const valid = (o: StreamOutcome): boolean => o.ok && o.firstTokenAt !== null && o.frames === params.latencyFrames;
  const ttftOf = (o: StreamOutcome): number => (valid(o) ? (o.firstTokenAt ?? NaN) - o.startedAt : NaN);
  const totalOf = (o: StreamOutcome): number => (valid(o) ? o.endedAt - o.startedAt : NaN);
  const direct = outcomes.get(targets[0].label) ?? [];
  const results = new Map<string, LatencyResult>();
  for (const [index, target] of targets.entries()) {
    const list = outcomes.get(target.label) ?? [];
    const [from, to] = [before[index], after[index]];
    const finite = (values: number[]): number[] => values.filter((v) => Number.isFinite(v));
    const paired = (of: (o: StreamOutcome) => number): Spread | null =>
      target === targets[0] ? null : spread(finite(list.map((o, i) => of(o) - of(direct[i]))));
    results.set(target.label, {
      ttft: spread(finite(list.map(ttftOf))),
      total: spread(finite(list.map(totalOf))),
      addedTtft: paired(ttftOf),
      addedTotal: paired(totalOf),
      errors: tallyErrors(list, params.latencyFrames),
      gatewayCpuPerRequestMs: from && to && list.length > 0 ? cpuBetween(from, to) / list.length : null,
      samples: list.map((o) => ({ ttft: round2(ttftOf(o)), total: round2(totalOf(o)) })),
    });
  }
  return results;
}

async function measureCpu(ctx: ScenarioContext, target: ApiTarget, params: OfficialApiParams): Promise<CpuResult> {
  const warm = Math.min(params.streams, 20);
  await launchRamped(warm, 0, (i) => target.stream(`s6:cpuwarm:${target.label}:${i}`, { ...USAGE, max_tokens: 5 }));
  await target.fresh();
  const probe = target.runner.probe;
  if (probe) await probe.collectGarbage();
  const rssIdle = probe ? (await probe.snapshot()).rss : null;
  let rssPeak = rssIdle ?? 0;
  let sampling = probe !== undefined;
  const sampler = (async () => {
    while (sampling && probe) {
      rssPeak = Math.max(rssPeak, (await probe.snapshot()).rss);
      await sleep(params.rssSampleEveryMs);
    }
  })();

  const gapBuffer = new SampleBuffer();
  const phase = await startPhase(target.runner, ctx.job.fakePid);
  const startedAt = performance.now();
  const outcomes = await launchRamped(params.streams, params.rampMs, (i) =>
    target.stream(`s6:cpu:${target.label}:${i}`, USAGE, new GapRecorder(gapBuffer)),
  );
  await sleep(100); // let the gateway finish its bookkeeping inside the window
  const usage = await phase.finish();
  sampling = false;
  await sampler;
  return {
    outcomes,
    frames: outcomes.reduce((sum, o) => sum + o.frames, 0),
    gaps: summarize(gapBuffer.values()),
    usage,
    rssIdleMb: rssIdle === null ? null : rssIdle / MB,
    rssPeakMb: probe ? rssPeak / MB : null,
    failures: failureSamples(outcomes, startedAt),
  };
}

function outcome(
  latency: Map<string, LatencyResult>,
  cpu: Map<string, CpuResult>,
  params: OfficialApiParams,
  directLabel: string,
): ScenarioOutcome {
  const isDirect = (label: string): boolean => label === directLabel;
  const expected = params.streams * params.frames;
  const lat = new RowBuilder(latency)
    .add('s6.ttftP50', 'latency: first content token p50 (sent → first text frame)', 'ms', (r) => r.ttft.p50, {
      ratio: true,
      decimals: 2,
    })
    .add('s6.ttftP95', 'latency: first content token p95', 'ms', (r) => r.ttft.p95, { ratio: true, decimals: 2 })
    .add('s6.totalP50', `latency: total time p50 (${params.latencyFrames}-frame answer)`, 'ms', (r) => r.total.p50, {
      ratio: true,
      decimals: 2,
    })
    .add('s6.totalP95', 'latency: total time p95', 'ms', (r) => r.total.p95, { ratio: true, decimals: 2 })
    .add('s6.addedTtftP50', 'added first token (p50 of paired differences)', 'ms', (r) => r.addedTtft?.p50 ?? null, {
      decimals: 2,
    })
    .add('s6.addedTtftP95', 'added first token (p95 of paired differences)', 'ms', (r) => r.addedTtft?.p95 ?? null, {
      decimals: 2,
    })
    .add('s6.addedTotalP50', 'added total time (p50 of paired differences)', 'ms', (r) => r.addedTotal?.p50 ?? null, {
      decimals: 2,
    })
    .add(
      's6.cpuPerRequest',
      `gateway CPU per request (latency phase, ${params.latencyFrames} frames)`,
      'ms',
      (r) => r.gatewayCpuPerRequestMs,
      { decimals: 2 },
    )
    .add('s6.latSamples', `latency samples valid (of ${params.latencySamples})`, 'count', (r) => r.ttft.count, {
      decimals: 0,
    });
  const load = new RowBuilder(cpu)
    .add('s6.frames', `CPU phase: text frames received (of ${expected})`, 'count', (r) => r.frames, { decimals: 0 })
    .add(
      's6.errors',
      'CPU phase: failed or short streams',
      'count',
      (r) => countErrors(tallyErrors(r.outcomes, params.frames)),
      {
        decimals: 0,
      },
    )
    .add('s6.gapP50', 'inter-chunk gap p50', 'ms', (r) => r.gaps.p50, { decimals: 2 })
    .add('s6.gapP99', 'inter-chunk gap p99', 'ms', (r) => r.gaps.p99, { decimals: 2 })
    .add('s6.cpuPer1000', 'gateway CPU per 1000 relayed frames (whole requests)', 'ms', (r, label) =>
      isDirect(label) ? null : per1000(r.usage.gatewayCpuMs ?? NaN, r.frames),
    )
    .add('s6.gatewayCpu', 'gateway CPU, total', 'ms', (r) => r.usage.gatewayCpuMs, { decimals: 0 })
    .add('s6.rssIdle', 'gateway RSS before the phase (after a GC)', 'MB', (r) => r.rssIdleMb)
    .add('s6.rssPeak', 'gateway RSS peak during the phase (sampled)', 'MB', (r) => r.rssPeakMb)
    .add('s6.eldP99', 'gateway event-loop delay p99', 'ms', (r) => r.usage.gatewayEventLoopDelay?.p99 ?? null, {
      decimals: 2,
    })
    .add('s6.loadCpuPer1000', 'load generator (client) CPU per 1000 frames', 'ms', (r) =>
      per1000(r.usage.loadCpuMs, r.frames),
    )
    .add('s6.fakeCpuPer1000', 'fake official API CPU per 1000 frames', 'ms', (r) =>
      r.usage.fakeCpuMs === null ? null : per1000(r.usage.fakeCpuMs, r.frames),
    )
    .add('s6.wall', 'CPU phase wall time', 'ms', (r) => r.usage.wallMs, { decimals: 0 });

  const details: Record<string, unknown> = {};
  const notes = [
    `Latency: ${params.latencySamples} samples per target after ${params.latencyWarmup} warm-ups, one request at a ` +
      `time, the targets taking turns; answers of ${params.latencyFrames} frames ${params.frameIntervalMs} ms apart ` +
      '(the first one a frame interval after the role chunk). Added = p50 of (gateway sample i − direct sample i).',
    'Direct = a plain streaming client sending the same OpenAI body straight to the fake official API; it relays ' +
      'nothing, so its CPU column is empty (its own client CPU is in the load generator row).',
  ];
  for (const [label, r] of latency) {
    details[`${label}:latency`] = r;
    notes.push(`${label} latency errors: ${describeTally(r.errors)}`);
  }
  for (const [label, r] of cpu) {
    details[`${label}:cpu`] = {
      errors: tallyErrors(r.outcomes, params.frames),
      failures: r.failures,
      gaps: r.gaps,
      usage: r.usage,
      rssIdleMb: r.rssIdleMb,
      rssPeakMb: r.rssPeakMb,
    };
    notes.push(`${label} CPU phase errors: ${describeTally(tallyErrors(r.outcomes, params.frames))}`);
  }
  return { rows: [...lat.rows, ...load.rows], details, notes };
}

const round2 = (value: number): number => (Number.isFinite(value) ? Math.round(value * 100) / 100 : value);
