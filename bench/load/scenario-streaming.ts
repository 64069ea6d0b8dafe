import { relayProfilePath, type ScenarioOutcome } from '../common/messages';
import { benchTokens, type StreamingParams } from '../common/scenarios';
import { addFirstTokenProbeRows, type FirstTokenProbeResult, probeFirstTokens } from './first-token-probe';
import { countErrors, describeTally, launchRamped, sleep, tallyErrors } from './launch';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import { measureStreamingPhase, per1000, type StreamingResult } from './streaming-phase';
import { addStagePhaseRows, runStagePhases, type StagePhaseResults } from './streaming-stage-phases';
import { addToolPhaseRows, runToolPhases, toolPhaseDetails, type ToolPhaseResults } from './streaming-tool-phases';
import { warmUp } from './warm-up';

/**
 * Scenario 2: many concurrent paced streams. Per target: inter-chunk gaps as the client sees them, the
 * relaying process's CPU for the whole requests (handshake included) per 1000 frames, and the gateway's
 * event-loop delay. The direct client's CPU is the load process's own (it does the upstream work there).
 * Every gateway then runs the tool phases (streaming-tool-phases.ts) right after its own, the optional
 * stages (streaming-stage-phases.ts), and the first-token probe, one stream at a time
 * (first-token-probe.ts). The minimal relay (kind `relay`) runs the plain phase only.
 */
const mb = (bytes: number | null): number | null => (bytes === null ? null : bytes / 1024 / 1024);

export async function runStreaming(ctx: ScenarioContext, params: StreamingParams): Promise<ScenarioOutcome> {
  const { fake, runners, job } = ctx;
  const tokens = benchTokens(params.accounts);
  await fake.prepare(params.accounts, params, true);

  const results = new Map<string, StreamingResult>();
  const toolResults = new Map<string, ToolPhaseResults>();
  const stageResults = new Map<string, StagePhaseResults>();
  const firstTokens = new Map<string, FirstTokenProbeResult>();
  for (const runner of runners) {
    await warmUp(runner, fake, params, tokens, Math.min(params.streams, 50));
    ctx.log(`scenario 2: ${runner.spec.label}: ${params.streams} streams × ${params.frames} frames`);
    results.set(runner.spec.label, await measureStreamingPhase(runner, params, tokens, job.fakePid));
    if (runner.spec.kind === 'gateway') {
      toolResults.set(runner.spec.label, await runToolPhases(ctx, runner, params, tokens));
      stageResults.set(runner.spec.label, await runStagePhases(ctx, runner, params, tokens));
      await sleep(params.settleBetweenPhasesMs);
      ctx.log(`scenario 2: ${runner.spec.label}: first token, one stream at a time, ${params.firstTokenSamples} × 4`);
      firstTokens.set(
        runner.spec.label,
        await probeFirstTokens(runner, fake, params, tokens, params.firstTokenSamples),
      );
    }
  }
  // The gateway and, beside it, the minimal relay: where each spends its time on the same load.
  const profiled = runners.find((r) => r.spec.kind === 'gateway' && r.probe);
  const relayProfiled = runners.find((r) => r.spec.kind === 'relay' && r.probe);
  if (job.cpuProfilePath) {
    for (const [runner, path] of [
      [profiled, job.cpuProfilePath],
      [relayProfiled, relayProfilePath(job.cpuProfilePath)],
    ] as const) {
      if (!runner?.probe) continue;
      ctx.log(`scenario 2: profiling ${runner.spec.label} in an extra, unmeasured round`);
      await runner.probe.startProfile();
      await launchRamped(params.streams, params.rampMs, (i) =>
        runner.stream([tokens[i % tokens.length]], `s2:profile:${i}`),
      );
      await runner.probe.stopProfile(path);
    }
  }

  const directLabel = runners[0].spec.label;
  const expected = params.streams * params.frames;
  const builder = new RowBuilder(results)
    .add('s2.frames', `text frames received (of ${expected})`, 'count', (r) => r.frames, { decimals: 0 })
    .add('s2.errors', 'failed or short streams', 'count', (r) => countErrors(tallyErrors(r.outcomes, params.frames)), {
      decimals: 0,
    })
    .add('s2.gapP50', 'inter-chunk gap p50', 'ms', (r) => r.gaps.p50, { decimals: 2 })
    .add('s2.gapP99', 'inter-chunk gap p99', 'ms', (r) => r.gaps.p99, { decimals: 2 })
    .add('s2.gapMax', 'inter-chunk gap max', 'ms', (r) => r.gaps.max, { decimals: 1 })
    .addDifference('s2.addedGapP50', 'added inter-chunk latency p50', 'ms', (r) => r.gaps.p50, directLabel)
    .addDifference('s2.addedGapP99', 'added inter-chunk latency p99', 'ms', (r) => r.gaps.p99, directLabel)
    .add('s2.ttftP50', 'first content token p50 (sent → first text frame)', 'ms', (r) => r.firstToken.p50)
    .add('s2.ttftP95', 'first content token p95', 'ms', (r) => r.firstToken.p95)
    .add('s2.afterHeadP50', 'response head → first content token p50', 'ms', (r) => r.firstToken.afterHeadP50)
    .add('s2.afterHeadP95', 'response head → first content token p95', 'ms', (r) => r.firstToken.afterHeadP95)
    .add('s2.cpuPer1000', 'relay CPU per 1000 frames (whole requests)', 'ms', (r) => per1000(r.relayCpuMs, r.frames), {
      ratio: true,
    })
    .add('s2.relayCpu', 'relay process CPU, total', 'ms', (r) => r.relayCpuMs, { ratio: true, decimals: 0 })
    .add('s2.rssPeak', 'peak RSS of the relaying process (sampled 1/s)', 'MB', (r) => mb(r.usage.peakRssBytes), {
      ratio: true,
    })
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
    .add('s2.wall', 'phase wall time', 'ms', (r) => r.usage.wallMs, { decimals: 0 });
  addToolPhaseRows(builder, toolResults, params.frames);
  addStagePhaseRows(builder, stageResults, toolResults, params.frames);
  addFirstTokenProbeRows(builder, firstTokens);
  const rows = builder.rows;

  const details: Record<string, unknown> = {};
  for (const [label, r] of results) {
    details[label] = {
      errors: tallyErrors(r.outcomes, params.frames),
      failures: r.failures,
      gaps: r.gaps,
      firstToken: r.firstToken,
      usage: r.usage,
    };
    const phases = toolResults.get(label);
    if (phases) details[`${label}:toolPhases`] = toolPhaseDetails(phases, params.frames);
    const stages = stageResults.get(label);
    if (stages) details[`${label}:stagePhases`] = toolPhaseDetails(stages, params.frames);
    const probe = firstTokens.get(label);
    if (probe) details[`${label}:firstTokenAlone`] = probe;
  }
  const notes = [
    "relay: the minimal relay (bench/relay/minimal-relay.ts): plain node:http, the direct client's handshake, " +
      "the gateway's stream parser, one OpenAI chunk written per text frame. Measured by the same probe; RSS " +
      "of the direct column would be the load generator's, so it is left out.",
    'Stage phases (gateways only, after the tool phases): stop sequence that never occurs, Anthropic Messages, ' +
      'Responses (store: false), then the plain chat phase again; "÷ plain chat" divides by the mean of the ' +
      'three plain phases.',
    'Event-loop delay: beyond the 10 ms sampling interval (the perf_hooks histogram records the interval itself).',
    'Tool phases (gateways only, each right after its own): 3 function tools declared with tool_choice "auto", ' +
      'the answer plain text (no call); then an answer whose every frame ends in a possible tag start ("<fun", ' +
      '"a <d", "b <t", …), without and with tools: the parser holds the first frame whole until the second.',
  ];
  for (const [label, r] of results) {
    notes.push(`${label} errors: ${describeTally(tallyErrors(r.outcomes, params.frames))}`);
    const phases = toolResults.get(label);
    if (phases) {
      const tally = (key: keyof ToolPhaseResults): string =>
        describeTally(tallyErrors(phases[key].outcomes, params.frames));
      notes.push(
        `${label} errors with tools: ${tally('tools')}; "<" answer: ${tally('angle')}, with tools: ${tally('angleTools')}`,
      );
    }
  }
  if (job.cpuProfilePath && profiled) notes.push(`CPU profile of ${profiled.spec.label}: ${job.cpuProfilePath}`);
  if (job.cpuProfilePath && relayProfiled) {
    notes.push(`CPU profile of ${relayProfiled.spec.label}: ${relayProfilePath(job.cpuProfilePath)}`);
  }
  return { rows, details, notes };
}
