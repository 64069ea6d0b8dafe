import { ALL_SCENARIOS, type ScenarioId } from '../common/scenarios';

export interface HarnessOptions {
  scenarios: ScenarioId[];
  quick: boolean;
  /** A git ref to build in a temporary worktree and measure beside the working tree. */
  compare: string | null;
  /** Profile the gateway during an extra round of scenario 2. */
  cpuProf: boolean;
  capacityStreams: number | undefined;
  /** Use this already built gateway (a dist directory) instead of building the working tree. */
  gatewayDist: string | null;
  gatewayLogLevel: string;
  /** Extra environment for the gateway(s), e.g. STREAM_COALESCE_MS=40. */
  gatewayEnv: Record<string, string>;
  out: string | null;
  help: boolean;
}

export const HARNESS_USAGE = `Usage: npm run bench -- [options]
  --scenario N          run scenario N only (1-6; repeat or comma-separate for several)
  --quick               small sizes: a smoke test of the whole harness
  --compare <git-ref>   also build <git-ref> in a temporary worktree and measure it in the same run
  --cpu-prof            profile the gateway: an extra round of scenario 2, the measured burst of scenario 4
  --capacity-streams N  streams for scenario 3 (default 2000, quick 100)
  --gateway-dist DIR    measure this built gateway (e.g. dist) instead of building the working tree
  --gateway-log-level L LOG_LEVEL of the gateway(s) (default warn)
  --gateway-env K=V     extra environment for the gateway(s) (repeatable), e.g. STREAM_COALESCE_MS=40
  --out FILE            JSON results file (default bench/results/bench-<time>.json)
  --help`;

export function parseHarnessArgs(argv: readonly string[]): HarnessOptions {
  const options: HarnessOptions = {
    scenarios: [],
    quick: false,
    compare: null,
    cpuProf: false,
    capacityStreams: undefined,
    gatewayDist: null,
    gatewayLogLevel: 'warn',
    gatewayEnv: {},
    out: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--scenario':
        for (const part of value().split(',')) options.scenarios.push(scenarioId(part));
        break;
      case '--quick':
        options.quick = true;
        break;
      case '--compare':
        options.compare = value();
        break;
      case '--cpu-prof':
        options.cpuProf = true;
        break;
      case '--capacity-streams':
        options.capacityStreams = positiveInt(flag, value());
        break;
      case '--gateway-dist':
        options.gatewayDist = value();
        break;
      case '--gateway-log-level':
        options.gatewayLogLevel = value();
        break;
      case '--gateway-env': {
        const [name, envValue] = value().split(/=(.*)/s, 2);
        if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || envValue === undefined) {
          throw new Error('--gateway-env takes NAME=VALUE');
        }
        options.gatewayEnv[name] = envValue;
        break;
      }
      case '--out':
        options.out = value();
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (options.scenarios.length === 0) options.scenarios = [...ALL_SCENARIOS];
  options.scenarios = [...new Set(options.scenarios)].sort();
  return options;
}

function scenarioId(text: string): ScenarioId {
  const n = Number(text.trim());
  if (!ALL_SCENARIOS.includes(n as ScenarioId)) {
    throw new Error(`--scenario must be one of ${ALL_SCENARIOS.join(', ')}`);
  }
  return n as ScenarioId;
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
  return n;
}
