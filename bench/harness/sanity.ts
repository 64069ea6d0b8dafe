import { RELAY_LABEL } from '../common/messages';
import type { ScenarioReport } from './report';

/** The figure that shows a scenario really ran for a target, and what it must be. */
const RAN: Record<number, { key: string; ok: (value: number) => boolean; what: string }> = {
  1: { key: 'ttfb.p50', ok: (v) => v > 0, what: 'no TTFB sample' },
  2: { key: 's2.frames', ok: (v) => v > 0, what: 'no frame received' },
  3: { key: 's3.maxOpen', ok: (v) => v > 0, what: 'no stream opened' },
  4: { key: 's4.otherErrors', ok: (v) => v === 0, what: 'requests neither completed nor answered 429' },
  5: { key: 's5.a1.open', ok: (v) => v > 0, what: 'no stream opened' },
  6: { key: 's6.frames', ok: (v) => v > 0, what: 'no frame received' },
};

/** Figures that show a gateway-only phase ran (the direct client and the relay have no such phase). */
const RAN_FOR_GATEWAYS: Record<number, { key: string; ok: (value: number) => boolean; what: string }[]> = {
  2: [
    { key: 's2.tools.frames', ok: (v) => v > 0, what: 'no frame received with tools declared' },
    { key: 's2.ltTools.ttftP50', ok: (v) => v > 0, what: 'no first token for the "<" answer with tools' },
  ],
  6: [{ key: 's6.cpuPer1000', ok: (v) => v > 0, what: 'no gateway CPU per 1000 frames' }],
};

/**
 * Problems that mean the harness itself did not work (not that the gateway is slow): a target without its
 * basic figure. The harness exits non-zero on any, which makes `--quick` a smoke test.
 */
export function harnessProblems(reports: readonly ScenarioReport[], labels: readonly string[]): string[] {
  const problems: string[] = [];
  for (const report of reports) {
    const check = RAN[report.id];
    const row = report.rows.find((r) => r.key === check.key);
    for (const label of labels.filter((l) => !report.notMeasured?.includes(l))) {
      const value = row?.values[label];
      if (value === null || value === undefined || !check.ok(value)) {
        problems.push(`scenario ${report.id}, ${label}: ${check.what}`);
      }
    }
    for (const gatewayCheck of RAN_FOR_GATEWAYS[report.id] ?? []) {
      const gatewayRow = report.rows.find((r) => r.key === gatewayCheck.key);
      for (const label of labels.filter(
        (l) => l !== 'direct' && l !== RELAY_LABEL && !report.notMeasured?.includes(l),
      )) {
        const value = gatewayRow?.values[label];
        if (value === null || value === undefined || !gatewayCheck.ok(value)) {
          problems.push(`scenario ${report.id}, ${label}: ${gatewayCheck.what}`);
        }
      }
    }
  }
  return problems;
}
