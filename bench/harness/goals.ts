import { type MetricRow, RELAY_LABEL } from '../common/messages';
import type { ScenarioId } from '../common/scenarios';

/** The targets of issues 7 and 21, checked against the gateway (working tree) figures. */
export interface GoalVerdict {
  scenario: ScenarioId;
  goal: string;
  measured: string;
  met: boolean | null;
}

interface Goal {
  scenario: ScenarioId;
  goal: string;
  /** `value(key)`: the gateway's figure; `value(key, label)`: another target's (e.g. the relay's). */
  check(value: (key: string, label?: string) => number | null): { measured: string; met: boolean | null };
}

const fmt = (value: number | null, unit: string, digits = 1): string =>
  value === null ? 'n/a' : `${value.toFixed(digits)} ${unit}`;

const times = (value: number | null): string => (value === null ? 'n/a' : `×${value.toFixed(3)}`);

const ratioOf = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

/** Issue 21: each optional stage within 10% of the plain chat path (CPU per 1000 frames, one run). */
const stageGoal = (key: string, stage: string): Goal => ({
  scenario: 2,
  goal: `CPU per 1000 frames with ${stage} within 10% of the plain chat path (ratio ≤ 1.10)`,
  check: (v) => {
    const ratio = v(`s2.${key}.cpuRatio`);
    return {
      measured: `${times(ratio)} (${fmt(v(`s2.${key}.cpuPer1000`), 'ms')}; plain: ${fmt(v('s2.plainMean.cpuPer1000'), 'ms')}, mean of 3 phases)`,
      met: ratio === null ? null : ratio <= 1.1,
    };
  },
});

const signed = (value: number | null, unit: string): string =>
  value === null ? 'n/a' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} ${unit}`;

const GOALS: Goal[] = [
  {
    scenario: 1,
    goal: 'TTFB within 5 ms of the direct client (at the mean PoW answer)',
    check: (v) => {
      const added = v('ttfb.addedAtMean');
      return {
        measured:
          `${signed(added, 'ms')} (outside the solve interval: ${signed(v('ttfb.addedOutsideSolve'), 'ms')}; ` +
          `raw best: ${signed(v('ttfb.addedMin'), 'ms')})`,
        met: added === null ? null : added <= 5,
      };
    },
  },
  {
    scenario: 2,
    goal: 'CPU ≤ 30 ms per 1000 relayed frames (whole requests)',
    check: (v) => {
      const cpu = v('s2.cpuPer1000');
      return { measured: fmt(cpu, 'ms'), met: cpu === null ? null : cpu <= 30 };
    },
  },
  {
    scenario: 2,
    goal: 'CPU per 1000 frames ≤ the minimal relay (gateway ÷ relay ≤ 1)',
    check: (v) => {
      const gateway = v('s2.cpuPer1000');
      const relay = v('s2.cpuPer1000', RELAY_LABEL);
      const ratio = ratioOf(gateway, relay);
      const rss = ratioOf(v('s2.rssPeak'), v('s2.rssPeak', RELAY_LABEL));
      return {
        measured:
          `${fmt(gateway, 'ms')} vs relay ${fmt(relay, 'ms')}: ${times(ratio)} ` +
          `(peak RSS ${fmt(v('s2.rssPeak'), 'MB')} vs ${fmt(v('s2.rssPeak', RELAY_LABEL), 'MB')}: ${times(rss)})`,
        met: ratio === null ? null : ratio <= 1,
      };
    },
  },
  {
    scenario: 2,
    goal: 'CPU per 1000 frames with tools declared (not called) within 5% of without (ratio ≤ 1.05)',
    check: (v) => {
      const ratio = v('s2.tools.cpuRatio');
      return {
        measured:
          `×${ratio === null ? 'n/a' : ratio.toFixed(3)} (${fmt(v('s2.tools.cpuPer1000'), 'ms')} with; without: ` +
          `${fmt(v('s2.cpuPer1000'), 'ms')} before, ${fmt(v('s2.again.cpuPer1000'), 'ms')} after)`,
        met: ratio === null ? null : ratio <= 1.05,
      };
    },
  },
  stageGoal('stop', 'a stop sequence (never occurring)'),
  stageGoal('anthropic', 'the Anthropic Messages encoder'),
  stageGoal('responses', 'the Responses encoder'),
  {
    scenario: 2,
    goal: 'gateway event-loop delay p99 ≤ 10 ms',
    check: (v) => {
      const eld = v('s2.eldP99');
      return { measured: fmt(eld, 'ms', 2), met: eld === null ? null : eld <= 10 };
    },
  },
  {
    scenario: 3,
    goal: 'all streams concurrently open without an error',
    check: (v) => {
      const errors = v('s3.errors');
      return {
        measured: `${v('s3.maxOpen') ?? 'n/a'} open at once, ${errors ?? 'n/a'} errors`,
        met: errors === null ? null : errors === 0,
      };
    },
  },
  {
    scenario: 3,
    goal: '≤ 50 KB RSS per open idle stream (2000 streams)',
    check: (v) => {
      const rss = v('s3.rssPerStream');
      return {
        measured: `${fmt(rss, 'KB')} at ${v('s3.maxOpen') ?? 'n/a'} streams open`,
        met: rss === null ? null : rss <= 50,
      };
    },
  },
  {
    scenario: 4,
    goal: 'every request completes or gets the documented 429',
    check: (v) => {
      const other = v('s4.otherErrors');
      return {
        measured: `${v('s4.completed') ?? 'n/a'} completed, ${v('s4.rejected429') ?? 'n/a'} × 429, ${other ?? 'n/a'} other; wait p50 ${fmt(v('s4.waitP50'), 'ms', 0)} / p99 ${fmt(v('s4.waitP99'), 'ms', 0)}`,
        met: other === null ? null : other === 0,
      };
    },
  },
  {
    scenario: 5,
    goal: 'memory per slow-reading stream flat in answer length (heap+external, long ÷ short ≤ 1.10)',
    check: (v) => {
      const ratios = [v('s5.a.heapRatio'), v('s5.b.steadyHeapRatio'), v('s5.b.heapRatio')];
      return {
        measured:
          `(a) unread ${times(ratios[0])}, (b) 1 MB/s median ${times(ratios[1])}, peak ${times(ratios[2])}; ` +
          `RSS (a) ${times(v('s5.a.rssRatio'))}, (b) peak ${times(v('s5.b.rssRatio'))}`,
        met: ratios.some((r) => r === null) ? null : ratios.every((r) => r !== null && r <= 1.1),
      };
    },
  },
];

export function checkGoals(scenario: ScenarioId, rows: readonly MetricRow[], gatewayLabel: string): GoalVerdict[] {
  const value = (key: string, label = gatewayLabel): number | null =>
    rows.find((r) => r.key === key)?.values[label] ?? null;
  return GOALS.filter((g) => g.scenario === scenario).map((g) => ({ scenario, goal: g.goal, ...g.check(value) }));
}
