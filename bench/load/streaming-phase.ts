import type { StreamingParams } from '../common/scenarios';
import { percentileOfSorted, SampleBuffer, summarize, type Summary } from '../common/stats';
import type { GatewayStreamOptions } from './gateway-stream';
import { failureSamples, launchRamped, sleep } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { GapRecorder, type StreamOutcome } from './stream-outcome';
import type { TargetRunner } from './targets';

/**
 * Time from sending the request to the first text frame at the client, over the streams that got one;
 * `afterHead*`: from the response head to that frame (the gateway sends the head when the upstream answer
 * starts, so text it holds back shows here, without the handshake's noise).
 */
export interface FirstTokenDelay {
  count: number;
  p50: number;
  p95: number;
  max: number;
  afterHeadP50: number;
  afterHeadP95: number;
}

export interface StreamingResult {
  outcomes: StreamOutcome[];
  frames: number;
  gaps: Summary;
  firstToken: FirstTokenDelay;
  usage: PhaseUsage;
  failures: ReturnType<typeof failureSamples>;
  /** CPU of the process doing the relay work: the gateway, or the direct client itself. */
  relayCpuMs: number;
}

/** A measured phase besides a target's own: its marker tag and what its requests carry. */
export interface PhaseRequest {
  /** Part of every marker (`s2:<label><tag>:<i>`), e.g. `+tools`. */
  markerTag: string;
  options?: GatewayStreamOptions;
}

/**
 * One measured phase of scenario 2: `params.streams` paced streams started over `params.rampMs`, the gaps
 * and first-token delays at the client, the resources of every process over the whole phase.
 */
export async function measureStreamingPhase(
  runner: TargetRunner,
  params: StreamingParams,
  tokens: readonly string[],
  fakePid: number,
  request: PhaseRequest = { markerTag: '' },
): Promise<StreamingResult> {
  const gapBuffer = new SampleBuffer();
  const phase = await startPhase(runner, fakePid);
  const startedAt = performance.now();
  const outcomes = await launchRamped(params.streams, params.rampMs, (i) =>
    runner.stream(
      [tokens[i % tokens.length]],
      `s2:${runner.spec.label}${request.markerTag}:${i}`,
      new GapRecorder(gapBuffer),
      request.options,
    ),
  );
  await sleep(100); // let the gateway finish its bookkeeping inside the window
  const usage = await phase.finish();
  const frames = outcomes.reduce((sum, o) => sum + o.frames, 0);
  const relayCpuMs = runner.spec.kind === 'direct' ? usage.loadCpuMs : (usage.gatewayCpuMs ?? NaN);
  const failures = failureSamples(outcomes, startedAt);
  return {
    outcomes,
    frames,
    gaps: summarize(gapBuffer.values()),
    firstToken: firstTokenDelay(outcomes),
    usage,
    relayCpuMs,
    failures,
  };
}

export function firstTokenDelay(outcomes: readonly StreamOutcome[]): FirstTokenDelay {
  const withToken = outcomes.filter((o) => o.firstTokenAt !== null);
  const sorted = Float64Array.from(withToken, (o) => (o.firstTokenAt ?? NaN) - o.startedAt).sort();
  const afterHead = Float64Array.from(withToken, (o) => (o.firstTokenAt ?? NaN) - (o.headersAt ?? NaN)).sort();
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
    afterHeadP50: percentileOfSorted(afterHead, 50),
    afterHeadP95: percentileOfSorted(afterHead, 95),
  };
}

export const per1000 = (cpuMs: number, frames: number): number => (frames > 0 ? (cpuMs / frames) * 1000 : NaN);
