import type { AnswerText } from '../common/answer-texts';
import type { StreamingParams } from '../common/scenarios';
import { DECLARED_TOOLS_FIELDS } from './declared-tools';
import { countErrors, sleep, tallyErrors } from './launch';
import type { RowBuilder, ScenarioContext } from './scenario-context';
import { measureStreamingPhase, per1000, type StreamingResult } from './streaming-phase';
import type { TargetRunner } from './targets';
import { warmUp } from './warm-up';

/**
 * The extra phases of scenario 2, run for every gateway right after its own phase (no tools, plain
 * answer), with the same sizes and pacing: tools declared but not called, the plain answer without
 * tools again (so that "without" brackets "with": drift over the run, a warmer heap, cancels out), then
 * an answer full of `<` with and without tools (answer-texts.ts), which makes the markup parser hold
 * text back.
 */
export type ToolPhaseKey = 'tools' | 'plainAgain' | 'angleTools' | 'angle';

interface ToolPhase {
  key: ToolPhaseKey;
  /** In the log and the markers. */
  markerTag: string;
  declareTools: boolean;
  answer: AnswerText;
}

const TOOL_PHASES: readonly ToolPhase[] = [
  { key: 'tools', markerTag: '+tools', declareTools: true, answer: 'plain' },
  { key: 'plainAgain', markerTag: '+again', declareTools: false, answer: 'plain' },
  { key: 'angleTools', markerTag: '+tools+lt', declareTools: true, answer: 'angle-brackets' },
  { key: 'angle', markerTag: '+lt', declareTools: false, answer: 'angle-brackets' },
];

export type ToolPhaseResults = Record<ToolPhaseKey, StreamingResult>;

export async function runToolPhases(
  ctx: ScenarioContext,
  runner: TargetRunner,
  params: StreamingParams,
  tokens: readonly string[],
): Promise<ToolPhaseResults> {
  const results: Partial<ToolPhaseResults> = {};
  try {
    for (const phase of TOOL_PHASES) {
      await sleep(params.settleBetweenPhasesMs);
      const pacing: StreamingParams = { ...params, answer: phase.answer };
      const options = phase.declareTools ? { bodyFields: DECLARED_TOOLS_FIELDS } : undefined;
      await warmUp(runner, ctx.fake, pacing, tokens, Math.min(params.streams, 50), { request: options });
      ctx.log(
        `scenario 2: ${runner.spec.label}${phase.markerTag}: ${params.streams} streams × ${params.frames} frames`,
      );
      results[phase.key] = await measureStreamingPhase(runner, pacing, tokens, ctx.job.fakePid, {
        markerTag: phase.markerTag,
        options,
      });
    }
  } finally {
    await ctx.fake.setPacing(params); // the plain answer again, for the next target
  }
  return results as ToolPhaseResults;
}

/**
 * The rows of the tool phases (gateway columns only): CPU with tools ÷ without, the first content token
 * with and without tools, for the plain and the `<` answer. "Without" is, for the plain answer, the mean
 * of the gateway's own phase (`base`) and `plainAgain`, which run before and after `tools`; for the `<`
 * answer, the `angle` phase right after `angleTools`.
 */
export function addToolPhaseRows(
  rows: RowBuilder<StreamingResult>,
  byLabel: ReadonlyMap<string, ToolPhaseResults>,
  expectedFrames: number,
): void {
  type Figure = (r: StreamingResult) => number;
  const of =
    (key: ToolPhaseKey, figure: Figure) =>
    (_base: StreamingResult, label: string): number | null => {
      const result = byLabel.get(label)?.[key];
      return result === undefined ? null : figure(result);
    };
  /** `key` − its reference (or ÷ for `divide`): `base` for the plain answer, `angle` for the `<` one. */
  const versus =
    (key: ToolPhaseKey, figure: Figure, divide = false) =>
    (base: StreamingResult, label: string): number | null => {
      const phases = byLabel.get(label);
      if (phases === undefined) return null;
      const reference = key === 'angleTools' ? figure(phases.angle) : (figure(base) + figure(phases.plainAgain)) / 2;
      const value = figure(phases[key]);
      return divide ? value / reference : value - reference;
    };
  const frames: Figure = (r) => r.frames;
  const errors: Figure = (r) => countErrors(tallyErrors(r.outcomes, expectedFrames));
  const cpu: Figure = (r) => per1000(r.relayCpuMs, r.frames);
  const eldP99: Figure = (r) => r.usage.gatewayEventLoopDelay?.p99 ?? NaN;
  const ttftP50: Figure = (r) => r.firstToken.p50;
  const ttftP95: Figure = (r) => r.firstToken.p95;
  const afterHeadP50: Figure = (r) => r.firstToken.afterHeadP50;
  const afterHeadP95: Figure = (r) => r.firstToken.afterHeadP95;
  const count = { decimals: 0 };
  const ratio = { decimals: 3 };

  rows
    .add('s2.tools.frames', 'tools declared (not called): text frames', 'count', of('tools', frames), count)
    .add('s2.tools.errors', 'tools: failed or short streams', 'count', of('tools', errors), count)
    .add('s2.tools.cpuPer1000', 'tools: relay CPU per 1000 frames', 'ms', of('tools', cpu), { ratio: true })
    .add('s2.again.cpuPer1000', 'none again (after tools): relay CPU per 1000', 'ms', of('plainAgain', cpu), {
      ratio: true,
    })
    .add('s2.tools.cpuRatio', 'tools ÷ none (mean of before and after)', '×', versus('tools', cpu, true), ratio)
    .add('s2.tools.eldP99', 'tools: gateway event-loop delay p99', 'ms', of('tools', eldP99), { decimals: 2 })
    .add('s2.tools.ttftP50', 'tools: first content token p50', 'ms', of('tools', ttftP50))
    .add('s2.tools.ttftP95', 'tools: first content token p95', 'ms', of('tools', ttftP95))
    .add('s2.tools.addedTtftP50', 'tools − none: first content token p50', 'ms', versus('tools', ttftP50))
    .add('s2.tools.addedTtftP95', 'tools − none: first content token p95', 'ms', versus('tools', ttftP95))
    .add('s2.lt.errors', '"<" answer, none: failed or short streams', 'count', of('angle', errors), count)
    .add('s2.lt.cpuPer1000', '"<" answer, none: relay CPU per 1000 frames', 'ms', of('angle', cpu), { ratio: true })
    .add('s2.lt.ttftP50', '"<" answer, none: first content token p50', 'ms', of('angle', ttftP50))
    .add('s2.lt.ttftP95', '"<" answer, none: first content token p95', 'ms', of('angle', ttftP95))
    .add('s2.ltTools.errors', '"<" answer, tools: failed or short streams', 'count', of('angleTools', errors), count)
    .add('s2.ltTools.cpuPer1000', '"<" answer, tools: relay CPU per 1000 frames', 'ms', of('angleTools', cpu), {
      ratio: true,
    })
    .add('s2.ltTools.cpuRatio', '"<" answer, tools ÷ none: CPU per 1000', '×', versus('angleTools', cpu, true), ratio)
    .add('s2.ltTools.ttftP50', '"<" answer, tools: first content token p50', 'ms', of('angleTools', ttftP50))
    .add('s2.ltTools.ttftP95', '"<" answer, tools: first content token p95', 'ms', of('angleTools', ttftP95))
    .add('s2.ltTools.addedTtftP50', '"<" answer, tools − none: first token p50', 'ms', versus('angleTools', ttftP50))
    .add('s2.ltTools.addedTtftP95', '"<" answer, tools − none: first token p95', 'ms', versus('angleTools', ttftP95))
    .add('s2.ltTools.afterHeadP50', '"<" answer, tools: head → first token p50', 'ms', of('angleTools', afterHeadP50))
    .add('s2.ltTools.afterHeadP95', '"<" answer, tools: head → first token p95', 'ms', of('angleTools', afterHeadP95));
}

/** Per phase (tool or stage phases), for the JSON file: errors, failures, gaps, first-token delays and resource usage. */
export function toolPhaseDetails(
  phases: Readonly<Record<string, StreamingResult>>,
  expectedFrames: number,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(phases).map(([key, r]) => [
      key,
      {
        frames: r.frames,
        errors: tallyErrors(r.outcomes, expectedFrames),
        failures: r.failures,
        gaps: r.gaps,
        firstToken: r.firstToken,
        relayCpuMs: r.relayCpuMs,
        usage: r.usage,
      },
    ]),
  );
}
