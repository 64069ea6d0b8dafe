import type { Pacing } from '../common/scenarios';
import type { LeaseParams } from './lease-round-trip';
import type { ThroughputParams, TtfbParams } from './gateway-load';

export interface ReplicasOptions {
  quick: boolean;
  /** Use this already built gateway (a dist directory) instead of building the working tree. */
  gatewayDist: string | null;
  gatewayLogLevel: string;
  clients: number | null;
  durationMs: number | null;
  out: string | null;
  /** Profile replica A during an extra short-answer phase (not in the figures). */
  cpuProf: boolean;
  help: boolean;
}

export const REPLICAS_USAGE = `Usage: npm run bench:replicas -- [options]
  --quick               small sizes, one round, short answers only: a smoke test (under a minute)
  --clients N           concurrent clients in the throughput phases (default 48)
  --duration-ms N       measured window of each throughput phase (default 10000, quick 2000)
  --gateway-dist DIR    measure this built gateway (e.g. dist) instead of building the working tree
  --gateway-log-level L LOG_LEVEL of the gateways (default warn)
  --cpu-prof            profile one gateway on Redis during an extra short-answer phase (not in the figures)
  --out FILE            JSON results file (default bench/results/replicas-<time>.json)
  --help`;

export function parseReplicasArgs(argv: readonly string[]): ReplicasOptions {
  const options: ReplicasOptions = {
    quick: false,
    gatewayDist: null,
    gatewayLogLevel: 'warn',
    clients: null,
    durationMs: null,
    out: null,
    cpuProf: false,
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
      case '--quick':
        options.quick = true;
        break;
      case '--clients':
        options.clients = positiveInt(flag, value());
        break;
      case '--duration-ms':
        options.durationMs = positiveInt(flag, value());
        break;
      case '--gateway-dist':
        options.gatewayDist = value();
        break;
      case '--gateway-log-level':
        options.gatewayLogLevel = value();
        break;
      case '--cpu-prof':
        options.cpuProf = true;
        break;
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
  return options;
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
  return n;
}

export interface NamedPacing extends Pacing {
  name: string;
}

/** PoW difficulty of every phase: the fake's answer is found in well under a millisecond. */
const TRIVIAL_DIFFICULTY = 1000;

export function replicasParams(options: ReplicasOptions) {
  const { quick } = options;
  const accounts = 20;
  const lease: LeaseParams = {
    iterations: quick ? 2000 : 20_000,
    warmup: quick ? 200 : 2000,
    block: quick ? 500 : 1000,
    accounts,
    ttlMs: 60_000,
  };
  const ttfb: TtfbParams = {
    samples: quick ? 20 : 200,
    warmup: quick ? 3 : 10,
    frames: 2,
    frameIntervalMs: 5,
    charsPerFrame: 4,
    difficulty: TRIVIAL_DIFFICULTY,
  };
  // Short answers: the accounts could serve 500 req/s, more than two cores can push through, so the
  // gateway's CPU is what is compared. Paced answers: the accounts' 20 req/s is the limit, for contrast.
  const short: NamedPacing = {
    name: 'short (4 frames × 10 ms)',
    frames: 4,
    frameIntervalMs: 10,
    charsPerFrame: 4,
    difficulty: TRIVIAL_DIFFICULTY,
  };
  const paced: NamedPacing = {
    name: 'paced (10 frames × 100 ms)',
    frames: 10,
    frameIntervalMs: 100,
    charsPerFrame: 4,
    difficulty: TRIVIAL_DIFFICULTY,
  };
  const throughput: Omit<ThroughputParams, keyof Pacing> & { rounds: number; pacings: NamedPacing[] } = {
    clients: options.clients ?? 48,
    durationMs: options.durationMs ?? (quick ? 2000 : 10_000),
    settleMs: quick ? 300 : 1000,
    rounds: quick ? 1 : 2,
    pacings: quick ? [short] : [short, paced],
  };
  return {
    accounts,
    powWorkers: Number(process.env.POW_WORKERS ?? 2),
    warmUpRequests: quick ? 20 : 100,
    // Real per-account locks: the fake refuses a second generation on a busy account.
    gatewayEnv: { ACCOUNT_MAX_INFLIGHT: '1', QUEUE_TIMEOUT_MS: '30000' },
    lease,
    ttfb,
    throughput,
  };
}
