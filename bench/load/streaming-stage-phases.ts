import type { StreamingParams } from '../common/scenarios';
import type { GatewayStreamOptions } from './gateway-stream';
import { countErrors, sleep, tallyErrors } from './launch';
import type { RowBuilder, ScenarioContext } from './scenario-context';
import { measureStreamingPhase, per1000, type StreamingResult } from './streaming-phase';
import type { ToolPhaseResults } from './streaming-tool-phases';
import type { TargetRunner } from './targets';
import { warmUp } from './warm-up';

/**
 * The optional stages of scenario 2 (issue 21), run for every gateway after its tool phases, with the same
 * sizes, pacing and plain answer: a stop sequence that never occurs in the answer, the same stream asked
 * for through Anthropic Messages (`POST /v1/messages`) and through Responses (`POST /v1/responses`), then
 * the plain chat phase once more, so that the plain path is measured before and after them.
 */
export type StagePhaseKey = 'stop' | 'anthropic' | 'responses' | 'plainLast';

/** Never in the fake's plain answer: the stop stage watches every frame and cuts nothing. */
export const NEVER_OCCURRING_STOP = '§bench-stop-never-occurs§';

const STAGE_PHASES: readonly { key: StagePhaseKey; markerTag: string; options: GatewayStreamOptions }[] = [
  { key: 'stop', markerTag: '+stop', options: { bodyFields: { stop: [NEVER_OCCURRING_STOP] } } },
  { key: 'anthropic', markerTag: '+anthropic', options: { api: 'anthropic' } },
  { key: 'responses', markerTag: '+responses', options: { api: 'responses' } },
  { key: 'plainLast', markerTag: '+last', options: {} },
];

export type StagePhaseResults = Record<StagePhaseKey, StreamingResult>;

export async function runStagePhases(
  ctx: ScenarioContext,
  runner: TargetRunner,
  params: StreamingParams,
  tokens: readonly string[],
): Promise<StagePhaseResults> {
  const results: Partial<StagePhaseResults> = {};
  for (const phase of STAGE_PHASES) {
    await sleep(params.settleBetweenPhasesMs);
    await warmUp(runner, ctx.fake, params, tokens, Math.min(params.streams, 50), { request: phase.options });
    ctx.log(`scenario 2: ${runner.spec.label}${phase.markerTag}: ${params.streams} streams × ${params.frames} frames`);
    results[phase.key] = await measureStreamingPhase(runner, params, tokens, ctx.job.fakePid, {
      markerTag: phase.markerTag,
      options: phase.options,
    });
  }
  return results as StagePhaseResults;
}

/**
 * Rows (gateway columns only): CPU per 1000 frames of each stage and its ratio to the plain chat path,
 * the mean of the gateway's plain phases (its own, "none again" after the tools, and the last one).
 */
export function addStagePhaseRows(
  rows: RowBuilder<StreamingResult>,
  byLabel: ReadonlyMap<string, StagePhaseResults>,
  toolsByLabel: ReadonlyMap<string, ToolPhaseResults>,
  expectedFrames: number,
): void {
  const cpu = (r: StreamingResult): number => per1000(r.relayCpuMs, r.frames);
  const plainMean = (base: StreamingResult, label: string): number | null => {
    const last = byLabel.get(label)?.plainLast;
    if (last === undefined) return null;
    const plain = [base, toolsByLabel.get(label)?.plainAgain, last].filter((r) => r !== undefined);
    return plain.reduce((sum, r) => sum + cpu(r), 0) / plain.length;
  };
  const of =
    (key: StagePhaseKey, figure: (r: StreamingResult) => number) =>
    (_base: StreamingResult, label: string): number | null => {
      const result = byLabel.get(label)?.[key];
      return result === undefined ? null : figure(result);
    };
  const ratio = (key: StagePhaseKey) => (base: StreamingResult, label: string) => {
    const value = of(key, cpu)(base, label);
    const reference = plainMean(base, label);
    return value === null || reference === null ? null : value / reference;
  };
  const errors = (r: StreamingResult): number => countErrors(tallyErrors(r.outcomes, expectedFrames));
  const names: Record<Exclude<StagePhaseKey, 'plainLast'>, string> = {
    stop: 'stop sequence (never occurs)',
    anthropic: 'Anthropic /v1/messages',
    responses: 'Responses /v1/responses',
  };
  rows
    .add('s2.last.cpuPer1000', 'plain, last phase: relay CPU per 1000 frames', 'ms', of('plainLast', cpu), {
      ratio: true,
    })
    .add('s2.plainMean.cpuPer1000', 'plain chat path: mean of its 3 phases, CPU/1000', 'ms', plainMean, {
      ratio: true,
    });
  for (const [key, name] of Object.entries(names) as [Exclude<StagePhaseKey, 'plainLast'>, string][]) {
    rows
      .add(
        `s2.${key}.frames`,
        `${name}: text frames`,
        'count',
        of(key, (r) => r.frames),
        { decimals: 0 },
      )
      .add(`s2.${key}.errors`, `${name}: failed or short streams`, 'count', of(key, errors), { decimals: 0 })
      .add(`s2.${key}.cpuPer1000`, `${name}: relay CPU per 1000 frames`, 'ms', of(key, cpu), { ratio: true })
      .add(`s2.${key}.cpuRatio`, `${name} ÷ plain chat: CPU per 1000`, '×', ratio(key), { decimals: 3 });
  }
}
