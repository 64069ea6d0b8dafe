import { type MetricRow, RELAY_LABEL } from '../common/messages';
import type { GoalVerdict } from './goals';
import type { MachineInfo } from './machine';

export interface ScenarioReport {
  id: number;
  title: string;
  params: Record<string, unknown>;
  gatewayEnv: Record<string, string>;
  rows: MetricRow[];
  notes: string[];
  details: Record<string, unknown>;
  goals: GoalVerdict[];
  /** Targets the scenario does not measure: no column, no ratio. */
  notMeasured?: string[];
  /** Ratio columns to print instead of the default ones (each gateway ÷ direct), e.g. for other benches. */
  ratios?: { title: string; of: string; to: string }[];
}

const pad = (text: string, width: number, right = false): string => (right ? text.padStart(width) : text.padEnd(width));

function formatValue(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(decimals);
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (
    a === null ||
    a === undefined ||
    b === null ||
    b === undefined ||
    !Number.isFinite(a) ||
    !Number.isFinite(b) ||
    b === 0
  ) {
    return '';
  }
  return `${(a / b).toFixed(2)}×`;
}

export function renderMachine(machine: MachineInfo, loadAfter: number[]): string {
  return [
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, node ${machine.node}, Linux ${machine.kernel}`,
    `Load average (1/5/15 min): ${machine.loadAverage.join(' / ')} at start, ${loadAfter.join(' / ')} at end. ` +
      'Other work on this machine shows up as noise in every figure.',
    `Open files limit: ${machine.openFilesLimit ?? 'unknown'} (hard ${machine.openFilesHardLimit ?? 'unknown'})`,
  ].join('\n');
}

/**
 * One scenario as a text table: a column per target, then gateway ÷ direct, gateway ÷ relay where the
 * minimal relay ran (scenario 2), and ÷ the compared ref.
 */
export function renderScenario(report: ScenarioReport, allLabels: readonly string[]): string {
  const skipped = new Set(report.notMeasured ?? []);
  const labels = allLabels.filter((label) => !skipped.has(label));
  const [direct, ...others] = allLabels;
  const gateways = others.filter((label) => label !== RELAY_LABEL);
  const ratioColumns: { title: string; of: string; to: string }[] = report.ratios
    ? [...report.ratios]
    : skipped.has(direct)
      ? []
      : gateways.map((g) => ({ title: `${g}/${direct}`, of: g, to: direct }));
  if (!report.ratios && labels.includes(RELAY_LABEL)) {
    ratioColumns.push(...gateways.map((g) => ({ title: `${g}/${RELAY_LABEL}`, of: g, to: RELAY_LABEL })));
  }
  if (!report.ratios && gateways.length > 1) {
    ratioColumns.push({ title: `${gateways[0]}/${gateways[1]}`, of: gateways[0], to: gateways[1] });
  }

  const header = ['metric', 'unit', ...labels, ...ratioColumns.map((c) => c.title)];
  const lines: string[][] = report.rows.map((row) => [
    row.name,
    row.unit,
    ...labels.map((label) => formatValue(row.values[label], row.decimals ?? 1)),
    ...ratioColumns.map((c) => (row.ratio ? ratio(row.values[c.of], row.values[c.to]) : '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]): string => '  ' + cells.map((c, i) => pad(c, widths[i], i >= 2)).join('  ');

  const params = Object.entries(report.params)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  const env = Object.entries(report.gatewayEnv)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const out = [
    `Scenario ${report.id}: ${report.title}`,
    `  parameters: ${params}`,
    `  gateway env: ${env || '(defaults)'}`,
    ...(skipped.size > 0 ? [`  not measured here: ${[...skipped].join(', ')} (see the notes)`] : []),
    format(header),
    format(widths.map((w) => '-'.repeat(w))),
    ...lines.map(format),
    ...report.notes.map((note) => `  note: ${note}`),
  ];
  return out.join('\n');
}

export function renderGoals(goals: readonly GoalVerdict[]): string {
  if (goals.length === 0) return '';
  const mark = (met: boolean | null): string => (met === null ? 'n/a ' : met ? 'MET ' : 'NOT ');
  return [
    'Targets (gateway, working tree):',
    ...goals.map((g) => `  [${mark(g.met)}] S${g.scenario} ${g.goal}: ${g.measured}`),
  ].join('\n');
}
