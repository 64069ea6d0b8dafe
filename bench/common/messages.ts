import type { ScenarioId, ScenarioParams } from './scenarios';

/** The minimal relay's label (scenario 2 only: bench/relay/minimal-relay.ts). */
export const RELAY_LABEL = 'relay';

/** One system under test: the direct client against the upstream, the minimal relay, or a gateway build. */
export interface TargetSpec {
  /** `direct`, `relay`, `gateway`, or `gateway@<ref>` with --compare. */
  label: string;
  kind: 'direct' | 'relay' | 'gateway';
  /** The upstream base URL for `direct`, the gateway's base URL otherwise. */
  baseUrl: string;
  /** The probe's side port (gateways and the relay). */
  probeUrl?: string;
}

/** What the harness asks the load process to run. */
export interface LoadJob {
  scenario: ScenarioId;
  params: ScenarioParams;
  targets: TargetSpec[];
  /** The fake upstream itself (its control API), whatever the targets go through. */
  fakeUrl: string;
  fakePid: number;
  /** The latency proxy's control port (scenario 1). */
  proxyControlUrl?: string;
  /** PoW threads of the direct client (the gateway's POW_WORKERS). */
  powWorkers: number;
  /** Where a gateway CPU profile is written, when asked for (scenario 2; the relay's beside it: relayProfilePath). */
  cpuProfilePath?: string;
}

/** Scenario 2 profiles the minimal relay too, into a file beside the gateway's. */
export function relayProfilePath(gatewayProfilePath: string): string {
  return gatewayProfilePath.replace(/gateway-([^/]*)$/, 'relay-$1');
}

/** One line of a scenario's table: a metric for every target, by target label. */
export interface MetricRow {
  key: string;
  name: string;
  unit: string;
  values: Record<string, number | null>;
  /** Print gateway ÷ direct (and gateway ÷ gateway@ref). */
  ratio?: boolean;
  decimals?: number;
}

export interface ScenarioOutcome {
  rows: MetricRow[];
  /** Raw per-target figures for the JSON file. */
  details: Record<string, unknown>;
  notes: string[];
  /** Targets this scenario does not measure (their column is left out of the table). */
  notMeasured?: string[];
}

export type LoadMessage =
  { type: 'log'; text: string } | { type: 'result'; outcome: ScenarioOutcome } | { type: 'error'; message: string };
