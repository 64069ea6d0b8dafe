import type { LoadJob, MetricRow } from '../common/messages';
import type { FakeControl } from './fake-control';
import type { TargetRunner } from './targets';

export interface ScenarioContext {
  job: LoadJob;
  fake: FakeControl;
  /** Direct first, then the gateway(s), in the order they are measured. */
  runners: TargetRunner[];
  log(text: string): void;
}

/** Builds table rows from per-target results keyed by target label. */
export class RowBuilder<R> {
  readonly rows: MetricRow[] = [];

  constructor(private readonly results: ReadonlyMap<string, R>) {}

  add(
    key: string,
    name: string,
    unit: string,
    value: (result: R, label: string) => number | null,
    options: { ratio?: boolean; decimals?: number } = {},
  ): this {
    const values: Record<string, number | null> = {};
    for (const [label, result] of this.results) {
      const v = value(result, label);
      values[label] = v === null || Number.isNaN(v) ? null : v;
    }
    this.rows.push({ key, name, unit, values, ...options });
    return this;
  }

  /** gateway − direct for every gateway (direct itself shows 0). */
  addDifference(key: string, name: string, unit: string, value: (result: R) => number | null, directLabel: string) {
    const direct = this.results.get(directLabel);
    const base = direct === undefined ? null : value(direct);
    return this.add(key, name, unit, (result) => {
      const v = value(result);
      return v === null || base === null ? null : v - base;
    });
  }
}
