import type { ScenarioOutcome } from '../common/messages';
import { benchTokens, type TtfbParams } from '../common/scenarios';
import { round, robustLinearFit, summarize } from '../common/stats';
import type { ProxyCall } from '../proxy/proxy-log';
import { countErrors, describeTally, sleep, tallyErrors } from './launch';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import type { StreamOutcome } from './stream-outcome';
import { type PhaseTimes, phaseTimes } from './ttfb-phases';

interface Sample {
  ttfbMs: number;
  headersMs: number;
  /** The PoW answer (from the proxy, which reads it off the completion request). */
  answer: number | null;
  phases: PhaseTimes | null;
}

interface TtfbResult {
  outcomes: StreamOutcome[];
  samples: Sample[];
  /** Theil–Sen fit of the solve interval on the answer, over this target's own samples. */
  solveFit: { intercept: number; slope: number };
}

/**
 * Scenario 1: one request at a time, targets interleaved (direct, gateway, direct, …) so machine noise
 * hits them alike; every upstream call goes through the latency proxy. The fake picks a random PoW answer
 * per challenge, so raw TTFB varies with PoW luck by tens of ms. Two luck-free figures are derived from
 * what the proxy saw: TTFB outside the solve interval (model-free), and TTFB at the mean answer (that plus
 * each target's own fit of solve interval on answer).
 */
export async function runTtfb(ctx: ScenarioContext, params: TtfbParams): Promise<ScenarioOutcome> {
  const { fake, runners } = ctx;
  const tokens = benchTokens(params.accounts);
  await fake.prepare(params.accounts, params, false);
  await proxy(ctx, 'POST', '/reset');

  for (let w = 0; w < params.warmup; w++) {
    for (const runner of runners) await runner.stream(tokens, `s1:warm:${runner.spec.label}:${w}`);
  }
  const outcomes = new Map<string, StreamOutcome[]>(runners.map((r) => [r.spec.label, []]));
  for (let i = 0; i < params.samples; i++) {
    for (const runner of runners) {
      outcomes.get(runner.spec.label)!.push(await runner.stream(tokens, `s1:${runner.spec.label}:${i}`));
      await sleep(20);
    }
    if ((i + 1) % 10 === 0) ctx.log(`scenario 1: ${i + 1}/${params.samples} samples per target`);
  }

  const answers = (await proxy(ctx, 'GET', '/answers')) as Record<string, number>;
  const calls = (await proxy(ctx, 'GET', '/calls')) as ProxyCall[];
  const results = new Map<string, TtfbResult>();
  for (const [label, list] of outcomes) {
    const samples = list
      .filter((o) => o.ok && o.firstTokenAt !== null)
      .map((o): Sample => ({
        ttfbMs: o.firstTokenAt! - o.startedAt,
        headersMs: o.headersAt! - o.startedAt,
        answer: answers[o.marker] ?? o.answer ?? null,
        phases: phaseTimes(o, calls),
      }));
    const timed = samples.filter((s) => s.answer !== null && s.phases !== null);
    const solveFit = robustLinearFit(
      timed.map((s) => s.answer!),
      timed.map((s) => s.phases!.solveIntervalMs),
    );
    results.set(label, { outcomes: list, samples, solveFit });
  }

  const meanAnswer = (params.difficulty - 1) / 2;
  const outsideSolve = (r: TtfbResult) =>
    summarize(r.samples.flatMap((s) => (s.phases ? [s.ttfbMs - s.phases.solveIntervalMs] : []))).p50;
  const solveAtMean = (r: TtfbResult) => r.solveFit.intercept + r.solveFit.slope * meanAnswer;
  const atMean = (r: TtfbResult) => outsideSolve(r) + solveAtMean(r);
  const ttfb = (r: TtfbResult) => summarize(r.samples.map((s) => s.ttfbMs));
  const phase = (key: keyof PhaseTimes) => (r: TtfbResult) =>
    summarize(r.samples.flatMap((s) => (s.phases ? [s.phases[key]] : []))).p50;

  const direct = runners[0].spec.label;
  const rows = new RowBuilder(results)
    .add('ttfb.min', 'TTFB (first token) min', 'ms', (r) => ttfb(r).min, { ratio: true })
    .add('ttfb.p50', 'TTFB p50', 'ms', (r) => ttfb(r).p50, { ratio: true })
    .add('ttfb.mean', 'TTFB mean', 'ms', (r) => ttfb(r).mean, { ratio: true })
    .add('ttfb.p90', 'TTFB p90', 'ms', (r) => ttfb(r).p90, { ratio: true })
    .add('ttfb.answerMean', 'PoW answer mean (luck)', 'nonces', (r) => mean(r.samples.map((s) => s.answer)), {
      decimals: 0,
    })
    .add('ttfb.beforeUpstream', '· sent → first upstream call p50', 'ms', phase('beforeUpstreamMs'), { decimals: 2 })
    .add('ttfb.challengeRtt', '· challenge round trip p50', 'ms', phase('challengeRoundTripMs'), { decimals: 2 })
    .add('ttfb.solveInterval', '· challenge back → completion out p50', 'ms', phase('solveIntervalMs'), {
      decimals: 2,
    })
    .add('ttfb.completionToToken', '· completion out → first token p50', 'ms', phase('completionToTokenMs'), {
      decimals: 2,
    })
    .add('ttfb.outsideSolve', 'TTFB outside the solve interval p50', 'ms', outsideSolve, { ratio: true })
    .add('ttfb.solveAtMean', `solve interval at answer ${Math.round(meanAnswer)} (fit)`, 'ms', solveAtMean, {
      ratio: true,
    })
    .add('ttfb.atMean', 'TTFB at the mean PoW answer', 'ms', atMean, { ratio: true })
    .addDifference('ttfb.addedOutsideSolve', 'added vs direct: outside solve interval', 'ms', outsideSolve, direct)
    .addDifference('ttfb.addedAtMean', 'added vs direct: at the mean answer', 'ms', atMean, direct)
    .addDifference('ttfb.addedMin', 'added vs direct: raw best (PoW luck)', 'ms', (r) => ttfb(r).min, direct)
    .add('ttfb.errors', 'errors', 'count', (r) => countErrors(tallyErrors(r.outcomes)), { decimals: 0 }).rows;

  const directOwn = outcomes.get(direct)!.filter((o) => o.ok && o.answer !== undefined);
  const powFit = robustLinearFit(
    directOwn.map((o) => o.answer!),
    directOwn.map((o) => o.powMs!),
  );
  const details: Record<string, unknown> = { directPowFit: powFit };
  for (const [label, r] of results) {
    details[label] = { errors: tallyErrors(r.outcomes), solveFit: r.solveFit, samples: r.samples };
  }
  const notes = [
    `Direct client's own PoW solves (worker pool, ${ctx.job.powWorkers} threads): ${round(powFit.intercept, 2)} ms + ` +
      `${round(powFit.slope * 1000, 3)} ms per 1000 nonces; answers are random in [0, ${params.difficulty}).`,
    `Rows marked · split TTFB at the upstream calls (proxy clock, before its +${params.addedLatencyMs} ms).`,
    ...[...results].map(([label, r]) => `${label} errors: ${describeTally(tallyErrors(r.outcomes))}`),
  ];
  return { rows, details, notes };
}

function mean(values: readonly (number | null)[]): number {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? NaN : known.reduce((a, b) => a + b, 0) / known.length;
}

async function proxy(ctx: ScenarioContext, method: string, path: string): Promise<unknown> {
  if (!ctx.job.proxyControlUrl) return method === 'GET' && path === '/calls' ? [] : {};
  const response = await fetch(`${ctx.job.proxyControlUrl}${path}`, { method });
  return response.json();
}
