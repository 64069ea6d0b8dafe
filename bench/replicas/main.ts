/**
 * Several gateway replicas on one Redis (issue 17): `npm run bench:replicas -- [--quick]`.
 *
 * In one run, each figure side by side with its baseline:
 *  1. the lease round trip in-process, InMemoryAccountLockStore vs RedisAccountLockStore (local redis-server);
 *  2. the time to first token through a gateway without Redis vs one with REDIS_URL, interleaved;
 *  3. requests/s through 1 gateway without Redis, 1 with Redis, and 2 on the same Redis, 20 accounts.
 * Prints a table per part (absolute figures and ratios), the machine, and writes
 * bench/results/replicas-<time>.json. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { benchTokens } from '../common/scenarios';
import { round, summarize } from '../common/stats';
import { Cleanup } from '../harness/cleanup';
import { renderProfile, summarizeCpuProfile } from '../harness/cpu-profile-summary';
import { buildProbe, buildWorkingTree, existingBuild, removeScratchDir, scratchDir } from '../harness/gateway-builds';
import { describeMachine } from '../harness/machine';
import { type RunningGateway, startFakeUpstream, startGateway } from '../harness/processes';
import { renderMachine, renderScenario, type ScenarioReport } from '../harness/report';
import { FakeControl } from '../load/fake-control';
import { countErrors, describeTally } from '../load/launch';
import { RowBuilder } from '../load/scenario-context';
import {
  measureThroughput,
  measureTtfb,
  target,
  type Target,
  type ThroughputPhase,
  warmUpTargets,
} from './gateway-load';
import { LEASE_KINDS, measureLeaseRoundTrip, STORE_LABELS } from './lease-round-trip';
import { haveRedisServer, RedisCommandCounter, redisServerVersion, startRedisServer } from './redis-server';
import { type NamedPacing, parseReplicasArgs, REPLICAS_USAGE, replicasParams } from './params';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const say = (text: string): void => void process.stdout.write(`${text}\n`);
const loadNow = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

/** The throughput configurations, in the order of the table. */
const CONFIGS = ['1 gw, no Redis', '1 gw, Redis', '2 gw, Redis'] as const;
type ConfigLabel = (typeof CONFIGS)[number];

async function main(): Promise<void> {
  const options = parseReplicasArgs(process.argv.slice(2));
  if (options.help) return say(REPLICAS_USAGE);
  if (!haveRedisServer()) throw new Error('no redis-server on the PATH (Debian: apt-get install redis-server)');
  const params = replicasParams(options);
  const startedAt = Date.now();
  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '-');
  const runDir = join(RESULTS_DIR, 'runs', `replicas-${stamp}`);
  mkdirSync(runDir, { recursive: true });
  const machine = describeMachine();
  say(renderMachine(machine, machine.loadAverage));
  say(`Mode: ${options.quick ? 'quick (smoke sizes)' : 'full'}; ${redisServerVersion()}; logs in ${runDir}\n`);

  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  const reports: ScenarioReport[] = [];
  const raw: Record<string, unknown> = {};
  try {
    const redis = await startRedisServer(ROOT, runDir);
    cleanup.add(() => redis.stop());
    const redisCounter = new RedisCommandCounter(redis.url);
    cleanup.add(() => redisCounter.close());

    say(`1/3 lease round trip: ${params.lease.iterations} per store and kind…`);
    const lease = await measureLeaseRoundTrip(redis.url, params.lease);
    raw.lease = lease;
    reports.push(leaseReport(lease, params.lease));
    say(`\n${renderScenario(reports[0], STORE_LABELS)}\n`);

    const buildDir = scratchDir();
    cleanup.add(() => removeScratchDir(buildDir));
    say('building the gateway…');
    const build = options.gatewayDist ? existingBuild(options.gatewayDist) : buildWorkingTree(ROOT, buildDir);
    say(`  ${build.source}`);
    const probeJs = buildProbe(ROOT, buildDir);
    const fakeProcess = await startFakeUpstream(ROOT, runDir);
    cleanup.add(() => fakeProcess.stop());
    const fake = new FakeControl(fakeProcess.url);
    const tokens = benchTokens(params.accounts);

    const gatewayOptions = { logDir: runDir, logLevel: options.gatewayLogLevel, powWorkers: params.powWorkers };
    const start = async (label: string, env: Record<string, string>): Promise<Target> => {
      const gateway: RunningGateway = await startGateway(
        { ...build, label },
        probeJs,
        fakeProcess.url,
        { ...params.gatewayEnv, ...env },
        gatewayOptions,
      );
      cleanup.add(() => gateway.stop());
      const t = target(gateway);
      cleanup.add(() => t.agent.close());
      return t;
    };
    say('starting three gateways: one without Redis, two with REDIS_URL…');
    const [plain, replicaA, replicaB] = await Promise.all([
      start('gateway-no-redis', {}),
      start('gateway-redis-a', { REDIS_URL: redis.url }),
      start('gateway-redis-b', { REDIS_URL: redis.url }),
    ]);
    const all = [plain, replicaA, replicaB];
    await warmUpTargets(all, fake, tokens, params.warmUpRequests);

    say(`2/3 time to first token: ${params.ttfb.samples} samples per gateway, one request at a time…`);
    const ttfbTargets = [
      { label: 'no Redis', target: plain },
      { label: 'Redis', target: replicaA },
    ];
    const ttfb = await measureTtfb(ttfbTargets, fake, tokens, params.ttfb);
    raw.ttfb = Object.fromEntries(
      [...ttfb].map(([label, r]) => [label, { ...r, outcomes: undefined, samples: r.outcomes.map(ttfbSample) }]),
    );
    reports.push(ttfbReport(ttfb, params.ttfb));
    say(`\n${renderScenario(reports[1], ['no Redis', 'Redis'])}\n`);

    const setups: Record<ConfigLabel, { targets: Target[]; redis: boolean }> = {
      '1 gw, no Redis': { targets: [plain], redis: false },
      '1 gw, Redis': { targets: [replicaA], redis: true },
      '2 gw, Redis': { targets: [replicaA, replicaB], redis: true },
    };
    const throughputRaw: Record<string, unknown> = {};
    for (const [p, pacing] of params.throughput.pacings.entries()) {
      const tp = { ...params.throughput, ...pacing };
      say(
        `3/3 throughput (${pacing.name}): ${tp.clients} clients, ${tp.durationMs / 1000} s per phase, ` +
          `${params.throughput.rounds} round(s) of ${CONFIGS.length} phases…`,
      );
      const phases = new Map<ConfigLabel, ThroughputPhase[]>(CONFIGS.map((c) => [c, []]));
      for (let r = 0; r < params.throughput.rounds; r++) {
        // ABC, then CBA: drift over the run hits every configuration alike.
        const order = r % 2 === 0 ? CONFIGS : [...CONFIGS].reverse();
        for (const config of order) {
          const setup = setups[config];
          const phase = await measureThroughput(
            setup.targets,
            fake,
            tokens,
            tp,
            { fake: fakeProcess.pid, redis: setup.redis ? redis.pid : null },
            `${p}:${config}:${r}`,
            setup.redis ? redisCounter : null,
          );
          phases.get(config)!.push(phase);
          say(
            `  · ${config}, round ${r + 1}: ${round((phase.completed * 1000) / phase.windowMs)} req/s, ` +
              `errors ${describeTally(phase.errors)}`,
          );
        }
      }
      throughputRaw[pacing.name] = Object.fromEntries(
        [...phases].map(([config, list]) => [config, list.map(phaseForJson)]),
      );
      const report = throughputReport(3 + p, pacing, tp, params.accounts, phases, machine.cores);
      reports.push(report);
      say(`\n${renderScenario(report, CONFIGS)}\n`);
    }
    raw.throughput = throughputRaw;
    if (options.cpuProf) await profileReplica(replicaA, fake, tokens, params, redis.pid, fakeProcess.pid, runDir);

    const loadAfter = loadNow();
    say(renderMachine(machine, loadAfter));
    const problems = sanity(reports);
    const file = options.out ? resolve(options.out) : join(RESULTS_DIR, `replicas-${stamp}.json`);
    const json = {
      startedAt: stamp,
      durationS: round((Date.now() - startedAt) / 1000),
      machine,
      loadAverageAtEnd: loadAfter,
      options,
      params,
      build: build.source,
      redis: redisServerVersion(),
      reports,
      raw,
      problems,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    say(`\nresults: ${file} (run took ${round((Date.now() - startedAt) / 1000)} s)`);
    if (problems.length > 0) {
      process.stderr.write(`\nthe bench did not work:\n  ${problems.join('\n  ')}\n`);
      process.exitCode = 2;
    }
  } finally {
    await cleanup.run();
  }
}

/** An extra phase (not in the figures): 1 gateway on Redis, short answers, under the V8 profiler. */
async function profileReplica(
  replica: Target,
  fake: FakeControl,
  tokens: readonly string[],
  params: ReturnType<typeof replicasParams>,
  redisPid: number,
  fakePid: number,
  runDir: string,
): Promise<void> {
  const file = join(runDir, 'gateway-redis-a.cpuprofile');
  say('--cpu-prof: an extra phase of 1 gateway on Redis, short answers, profiled…');
  await replica.probe.startProfile();
  await measureThroughput(
    [replica],
    fake,
    tokens,
    { ...params.throughput, ...params.throughput.pacings[0] },
    { fake: fakePid, redis: redisPid },
    'profile',
    null,
  );
  await replica.probe.stopProfile(file);
  say(
    `\n${renderProfile(summarizeCpuProfile(file), '1 gateway on Redis, short answers, extra phase')}\n  profile: ${file}\n`,
  );
}

function leaseReport(
  lease: Awaited<ReturnType<typeof measureLeaseRoundTrip>>,
  params: ReturnType<typeof replicasParams>['lease'],
): ScenarioReport {
  const results = new Map(STORE_LABELS.map((label) => [label, label]));
  const rows = new RowBuilder(results);
  for (const kind of LEASE_KINDS) {
    const of = (label: (typeof STORE_LABELS)[number]) => lease.summaries[kind][label];
    rows
      .add(`${kind}.p50`, `${kind} p50`, 'µs', (l) => of(l).p50, { ratio: true })
      .add(`${kind}.p99`, `${kind} p99`, 'µs', (l) => of(l).p99, { ratio: true })
      .add(`${kind}.mean`, `${kind} mean`, 'µs', (l) => of(l).mean, { ratio: true })
      .addDifference(`${kind}.added`, `${kind}: added p50`, 'µs', (l) => of(l).p50, 'in-memory');
  }
  rows
    .add('ping.p50', 'ioredis PING p50 (floor of a round trip)', 'µs', (l) => (l === 'Redis' ? lease.ping.p50 : null))
    .add('ping.p99', 'ioredis PING p99', 'µs', (l) => (l === 'Redis' ? lease.ping.p99 : null));
  return {
    id: 1,
    title: 'Lease round trip, in-process, uncontended (one lease at a time)',
    params: { ...params },
    gatewayEnv: {},
    rows: rows.rows,
    notes: [
      'Each operation is timed alone (performance.now()); the stores take turns in blocks, after a warm-up of each.',
      'Redis: one EVAL per call (acquire, renew, release; release also PUBLISHes to wake other replicas), ' +
        'over one ioredis connection to a redis-server on 127.0.0.1 (no persistence).',
    ],
    details: {},
    goals: [],
    ratios: [{ title: 'Redis/in-memory', of: 'Redis', to: 'in-memory' }],
  };
}

function ttfbReport(
  results: Awaited<ReturnType<typeof measureTtfb>>,
  params: ReturnType<typeof replicasParams>['ttfb'],
): ScenarioReport {
  const rows = new RowBuilder(results)
    .add('ttfb.p50', 'first content token p50', 'ms', (r) => r.ttfb.p50, { ratio: true, decimals: 2 })
    .add('ttfb.p90', 'first content token p90', 'ms', (r) => r.ttfb.p90, { ratio: true, decimals: 2 })
    .add('ttfb.mean', 'first content token mean', 'ms', (r) => r.ttfb.mean, { ratio: true, decimals: 2 })
    .add('ttfb.min', 'first content token min', 'ms', (r) => r.ttfb.min, { ratio: true, decimals: 2 })
    .add('head.p50', 'response head p50', 'ms', (r) => r.head.p50, { ratio: true, decimals: 2 })
    .addDifference('ttfb.addedP50', 'added: p50 − p50', 'ms', (r) => r.ttfb.p50, 'no Redis')
    .addDifference('ttfb.addedP90', 'added: p90 − p90', 'ms', (r) => r.ttfb.p90, 'no Redis')
    .add('ttfb.paired', 'added: median of paired differences', 'ms', (r) => r.pairedDifference?.p50 ?? null, {
      decimals: 2,
    })
    .add('cpu', 'gateway CPU per request', 'ms', (r) => r.cpuPerRequestMs, { ratio: true, decimals: 2 })
    .addDifference('cpu.added', 'added: gateway CPU per request', 'ms', (r) => r.cpuPerRequestMs, 'no Redis')
    .add('errors', 'errors', 'count', (r) => countErrors(r.errors), { decimals: 0 }).rows;
  for (const row of rows.filter((r) => r.key.startsWith('ttfb.added'))) row.decimals = 2;
  return {
    id: 2,
    title: 'Time to first token through the gateway, without Redis vs with REDIS_URL',
    params: { ...params },
    gatewayEnv: {},
    rows,
    notes: [
      'TTFB = request sent → first content token at the client; one request at a time, the two gateways taking ' +
        'turns (which goes first alternates), the same fake upstream and 20 accounts, trivial PoW.',
      'Paired difference: sample i with Redis − sample i without, same round.',
    ],
    details: {},
    goals: [],
    ratios: [{ title: 'Redis/no Redis', of: 'Redis', to: 'no Redis' }],
  };
}

function throughputReport(
  id: number,
  pacing: NamedPacing,
  tp: ReturnType<typeof replicasParams>['throughput'] & NamedPacing,
  accounts: number,
  phases: ReadonlyMap<ConfigLabel, ThroughputPhase[]>,
  cores: number,
): ScenarioReport {
  const answerMs = pacing.frames * pacing.frameIntervalMs;
  const ceiling = (accounts * 1000) / answerMs;
  const agg = new Map<ConfigLabel, Aggregate>([...phases].map(([config, list]) => [config, aggregate(list)]));
  const pct = (ms: number | null, a: Aggregate) => (ms === null ? null : (ms / a.wallMs) * 100);
  const rows = new RowBuilder(agg)
    .add('rps', 'requests/s (completed)', 'req/s', (a) => a.rps, { ratio: true })
    .add('ceiling', 'ceiling: accounts ÷ answer time', 'req/s', () => ceiling)
    .add('ofCeiling', 'share of the ceiling', '%', (a) => (a.rps / ceiling) * 100, { ratio: true, decimals: 0 })
    .add('latency.p50', 'latency (sent → end) p50', 'ms', (a) => a.latency.p50, { ratio: true })
    .add('latency.p95', 'latency p95', 'ms', (a) => a.latency95, { ratio: true })
    .add('first.p50', 'first content token p50', 'ms', (a) => a.firstToken.p50, { ratio: true })
    .add('first.p95', 'first content token p95', 'ms', (a) => a.firstToken95, { ratio: true })
    .add('errors', 'errors (in the windows)', 'count', (a) => a.errors, { decimals: 0 })
    .add('maxPerAccount', 'most generations on one account at once', 'count', (a) => a.maxPerAccount, {
      decimals: 0,
    })
    .add('busy', 'upstream busy refusals', 'count', (a) => a.busyRefusals, { decimals: 0 })
    .add('redis.eval', 'Redis EVALs per request (lease calls)', 'count', (a) => a.redisPerRequest?.eval ?? null, {
      ratio: true,
      decimals: 2,
    })
    .add(
      'redis.lost',
      'lease attempts that found it taken, per request',
      'count',
      (a) => a.redisPerRequest?.lost ?? null,
      {
        decimals: 2,
      },
    )
    .add('redis.all', 'Redis commands per request, all', 'count', (a) => a.redisPerRequest?.all ?? null, {
      ratio: true,
      decimals: 2,
    })
    .add('cpu.perRequest', 'gateway CPU per request (all replicas)', 'ms', (a) => a.gatewayCpuPerRequest, {
      ratio: true,
      decimals: 2,
    })
    .add('cpu.allPerRequest', 'CPU per request, all processes', 'ms', (a) => a.allCpuPerRequest, {
      ratio: true,
      decimals: 2,
    })
    .add('cpu.gateways', 'CPU: gateway(s)', '% core', (a) => pct(a.cpu.gateways, a), { decimals: 0 })
    .add('cpu.fake', 'CPU: fake upstream', '% core', (a) => pct(a.cpu.fake, a), { decimals: 0 })
    .add('cpu.redis', 'CPU: redis-server', '% core', (a) => pct(a.cpu.redis, a), { decimals: 0 })
    .add('cpu.load', 'CPU: load generator', '% core', (a) => pct(a.cpu.load, a), { decimals: 0 })
    .add('machine', `machine busy (${cores} cores, others too)`, '%', (a) => a.machineBusy, { decimals: 0 }).rows;

  const base = agg.get('1 gw, Redis')!;
  const cpuAtCeiling = (ceiling * base.allCpuPerRequest) / 1000;
  const notes = [
    `What limits requests/s: each request holds one of ${accounts} accounts (ACCOUNT_MAX_INFLIGHT=1) for its answer, ` +
      `${pacing.frames} frames × ${pacing.frameIntervalMs} ms = ${answerMs} ms plus the handshake, so no number of ` +
      `replicas serves more than ${round(ceiling)} req/s; below that, CPU does: every process here shares ${cores} cores.`,
    `At the ceiling, the CPU per request measured with 1 gateway on Redis (${round(base.allCpuPerRequest, 2)} ms, ` +
      `gateway + fake + redis + load generator) would need ${round(cpuAtCeiling, 2)} cores; ` +
      (cpuAtCeiling > cores * 0.8
        ? 'more than this machine has, so this is a CPU-bound comparison: a second replica adds an event loop but no core.'
        : 'well within this machine, so this is an account-bound comparison: a second replica cannot add accounts.'),
    `${tp.clients} clients in a closed loop, client i on replica i mod n, each request offering all ${accounts} tokens ` +
      `(pass-through); requests ending in a ${tp.durationMs / 1000} s window (after ${tp.settleMs / 1000} s) count; ` +
      `${tp.rounds} round(s), phases in the order ABC${tp.rounds > 1 ? ', CBA' : ''}. Redis phases: both replicas ` +
      'run (the idle one also hears every release); CPU % of one core over each whole phase.',
    'Redis commands per request count those the Lua scripts run (TIME, ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE, ' +
      'ZREM, PUBLISH) and the SETs of the conversation stores; a lease attempt that found the account taken is one ' +
      'EVAL more (another replica held it, or both were woken by the same release and one lost).',
    'Most generations on one account at once and busy refusals are the fake upstream’s own counts: 1 and 0 mean ' +
      'the shared lock held across replicas.',
  ];
  return {
    id,
    title: `Throughput, ${accounts} accounts, ${pacing.name} answers`,
    params: {
      clients: tp.clients,
      frames: pacing.frames,
      frameIntervalMs: pacing.frameIntervalMs,
      durationMs: tp.durationMs,
      rounds: tp.rounds,
      accounts,
    },
    gatewayEnv: {},
    rows,
    notes,
    details: {},
    goals: [],
    ratios: [
      { title: '2gw/1gw (Redis)', of: '2 gw, Redis', to: '1 gw, Redis' },
      { title: 'Redis/no Redis (1 gw)', of: '1 gw, Redis', to: '1 gw, no Redis' },
      { title: '2gw Redis/1gw no Redis', of: '2 gw, Redis', to: '1 gw, no Redis' },
    ],
  };
}

interface Aggregate {
  rps: number;
  wallMs: number;
  latency: ReturnType<typeof summarize>;
  latency95: number;
  firstToken: ReturnType<typeof summarize>;
  firstToken95: number;
  errors: number;
  maxPerAccount: number;
  busyRefusals: number;
  gatewayCpuPerRequest: number;
  allCpuPerRequest: number;
  cpu: { gateways: number; fake: number | null; redis: number | null; load: number };
  machineBusy: number | null;
  /** Every Redis command the phases caused, by command. */
  redisCalls: Record<string, number> | null;
  /** Redis commands per request served: EVALs (lease calls), all commands; null without Redis. */
  redisPerRequest: { eval: number; lost: number; all: number } | null;
}

/** The rounds of one configuration together: requests over the sum of the windows, percentiles over all samples. */
function aggregate(list: readonly ThroughputPhase[]): Aggregate {
  const sum = (f: (p: ThroughputPhase) => number | null): number | null =>
    list.some((p) => f(p) === null) ? null : list.reduce((s, p) => s + f(p)!, 0);
  const completed = sum((p) => p.completed)!;
  const latencies = list.flatMap((p) => p.latencies);
  const firstTokens = list.flatMap((p) => p.firstTokens);
  const cpu = {
    gateways: sum((p) => p.cpu.gateways)!,
    fake: sum((p) => p.cpu.fake),
    redis: sum((p) => p.cpu.redis),
    load: sum((p) => p.cpu.load)!,
  };
  // CPU is read over each whole phase (settle and drain too): per request, divide by every request it served.
  const served = sum((p) => p.generations)!;
  const busy = list.map((p) => p.machineBusy);
  const redisCalls = list.every((p) => p.redisCalls !== null)
    ? list
        .map((p) => p.redisCalls!)
        .reduce<Record<string, number>>((total, calls) => {
          for (const [command, n] of Object.entries(calls)) total[command] = (total[command] ?? 0) + n;
          return total;
        }, {})
    : null;
  return {
    rps: (completed * 1000) / sum((p) => p.windowMs)!,
    wallMs: sum((p) => p.cpu.wallMs)!,
    latency: summarize(latencies),
    latency95: percentile(latencies, 95),
    firstToken: summarize(firstTokens),
    firstToken95: percentile(firstTokens, 95),
    errors: list.reduce((s, p) => s + countErrors(p.errors), 0),
    maxPerAccount: Math.max(...list.map((p) => p.maxPerAccount)),
    busyRefusals: sum((p) => p.busyRefusals)!,
    gatewayCpuPerRequest: cpu.gateways / served,
    allCpuPerRequest: (cpu.gateways + (cpu.fake ?? 0) + (cpu.redis ?? 0) + cpu.load) / served,
    cpu,
    redisPerRequest: redisCalls && {
      eval: ((redisCalls.eval ?? 0) + (redisCalls.evalsha ?? 0)) / served,
      // ZRANGE runs only in the acquire script's branch for an account whose slots are all held.
      lost: (redisCalls.zrange ?? 0) / served,
      all: Object.values(redisCalls).reduce((a, b) => a + b, 0) / served,
    },
    redisCalls,
    machineBusy: busy.some((b) => b === null) ? null : (summarize(busy as number[]).mean ?? 0) * 100,
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function ttfbSample(o: { ok: boolean; startedAt: number; firstTokenAt: number | null; error?: string }) {
  return o.ok && o.firstTokenAt !== null ? round(o.firstTokenAt - o.startedAt, 3) : (o.error ?? 'failed');
}

function phaseForJson(p: ThroughputPhase) {
  const { latencies, firstTokens, ...rest } = p;
  return { ...rest, latency: summarize(latencies), firstToken: summarize(firstTokens) };
}

/** What says the bench itself did not work (not a slow result). */
function sanity(reports: readonly ScenarioReport[]): string[] {
  const problems: string[] = [];
  for (const report of reports) {
    for (const row of report.rows) {
      if (row.key === 'errors' && Object.values(row.values).some((v) => v !== null && v > 0)) {
        problems.push(`${report.title}: errors ${JSON.stringify(row.values)}`);
      }
      if (row.key === 'rps' && Object.values(row.values).some((v) => v === null || v <= 0)) {
        problems.push(`${report.title}: a configuration completed nothing`);
      }
    }
  }
  return problems;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:replicas failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
