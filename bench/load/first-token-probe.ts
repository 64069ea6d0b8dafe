import type { AnswerText } from '../common/answer-texts';
import type { StreamingParams } from '../common/scenarios';
import { DECLARED_TOOLS_FIELDS } from './declared-tools';
import type { FakeControl } from './fake-control';
import type { RowBuilder } from './scenario-context';
import { firstTokenDelay, type FirstTokenDelay, type StreamingResult } from './streaming-phase';
import type { StreamOutcome } from './stream-outcome';
import type { TargetRunner } from './targets';

/** The four request/answer pairs the probe alternates: tools declared or not × plain or `<` answer. */
export type FirstTokenCase = 'plain' | 'plainTools' | 'angle' | 'angleTools';

const CASES: readonly { key: FirstTokenCase; declareTools: boolean; answer: AnswerText }[] = [
  { key: 'plain', declareTools: false, answer: 'plain' },
  { key: 'plainTools', declareTools: true, answer: 'plain' },
  { key: 'angle', declareTools: false, answer: 'angle-brackets' },
  { key: 'angleTools', declareTools: true, answer: 'angle-brackets' },
];

/** Short answers: the probe needs the first two frames; the rest only makes each sample longer. */
const PROBE_FRAMES = 5;

export type FirstTokenProbeResult = Record<FirstTokenCase, FirstTokenDelay>;

/**
 * Time to the first content token with one stream at a time, the four cases taken in turn `samples`
 * times (so drift hits them alike), same pacing as the measured phases. Under the phases' 200 streams
 * that time is mostly handshakes queued behind each other; alone it is the handshake plus the first
 * frame, and a frame the parser holds back shows as one frame interval more.
 */
export async function probeFirstTokens(
  runner: TargetRunner,
  fake: FakeControl,
  params: StreamingParams,
  tokens: readonly string[],
  samples: number,
): Promise<FirstTokenProbeResult> {
  const outcomes = new Map<FirstTokenCase, StreamOutcome[]>(CASES.map((c) => [c.key, []]));
  await runner.freshConnections();
  try {
    for (let i = 0; i < samples; i++) {
      for (const probe of CASES) {
        await fake.setPacing({ ...params, frames: PROBE_FRAMES, answer: probe.answer });
        const outcome = await runner.stream(
          [tokens[i % tokens.length]],
          `s2:${runner.spec.label}:first-${probe.key}:${i}`,
          {},
          probe.declareTools ? { bodyFields: DECLARED_TOOLS_FIELDS } : undefined,
        );
        outcomes.get(probe.key)?.push(outcome);
      }
    }
  } finally {
    await fake.setPacing(params);
  }
  const delay = (key: FirstTokenCase): FirstTokenDelay => firstTokenDelay(outcomes.get(key) ?? []);
  return {
    plain: delay('plain'),
    plainTools: delay('plainTools'),
    angle: delay('angle'),
    angleTools: delay('angleTools'),
  };
}

/** The probe's rows (gateway columns only): p50/p95 of each case, and tools − none for both answers. */
export function addFirstTokenProbeRows(
  rows: RowBuilder<StreamingResult>,
  byLabel: ReadonlyMap<string, FirstTokenProbeResult>,
): void {
  const of =
    (key: FirstTokenCase, figure: (d: FirstTokenDelay) => number) =>
    (_base: StreamingResult, label: string): number | null => {
      const probe = byLabel.get(label);
      return probe === undefined ? null : figure(probe[key]);
    };
  const added =
    (withTools: FirstTokenCase, without: FirstTokenCase, figure: (d: FirstTokenDelay) => number) =>
    (_base: StreamingResult, label: string): number | null => {
      const probe = byLabel.get(label);
      return probe === undefined ? null : figure(probe[withTools]) - figure(probe[without]);
    };
  const p50 = (d: FirstTokenDelay): number => d.p50;
  const p95 = (d: FirstTokenDelay): number => d.p95;
  const alone = 'one stream at a time';
  rows
    .add('s2.alone.ttftP50', `${alone}: first content token p50`, 'ms', of('plain', p50))
    .add('s2.alone.ttftP95', `${alone}: first content token p95`, 'ms', of('plain', p95))
    .add('s2.alone.toolsTtftP50', `${alone}, tools: first token p50`, 'ms', of('plainTools', p50))
    .add('s2.alone.toolsTtftP95', `${alone}, tools: first token p95`, 'ms', of('plainTools', p95))
    .add('s2.alone.toolsAddedP50', `${alone}, tools − none: p50`, 'ms', added('plainTools', 'plain', p50))
    .add('s2.alone.toolsAddedP95', `${alone}, tools − none: p95`, 'ms', added('plainTools', 'plain', p95))
    .add('s2.alone.ltTtftP50', `${alone}, "<" answer: first token p50`, 'ms', of('angle', p50))
    .add('s2.alone.ltTtftP95', `${alone}, "<" answer: first token p95`, 'ms', of('angle', p95))
    .add('s2.alone.ltToolsTtftP50', `${alone}, "<" + tools: first token p50`, 'ms', of('angleTools', p50))
    .add('s2.alone.ltToolsTtftP95', `${alone}, "<" + tools: first token p95`, 'ms', of('angleTools', p95))
    .add('s2.alone.ltToolsAddedP50', `${alone}, "<", tools − none: p50`, 'ms', added('angleTools', 'angle', p50))
    .add('s2.alone.ltToolsAddedP95', `${alone}, "<", tools − none: p95`, 'ms', added('angleTools', 'angle', p95));
}
