/**
 * PoW solver benchmark: the worst case (difficulty 144000, answer 143999) solved on this thread and through the
 * worker pool, with the WebAssembly and the TypeScript search each, plus the event-loop delay of the main thread
 * while four solves share the pool.
 *
 *   npx ts-node --transpile-only bench/pow.bench.ts      (BENCH_RUNS=15, POW_WORKERS=2 by default)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPowSearch, PowEngine } from '../src/deepseek/pow/pow-engine';
import { POW_WORST_CASE } from '../test/utils/deepseek/pow-test-vectors';
import { startPowWorker, WorkerPowSolver } from '../src/deepseek/pow/worker-pow-solver';

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));
const WORKERS = Number(process.env.POW_WORKERS ?? 2);
const CONCURRENT_SOLVES = 4;
const { challenge, answer } = POW_WORST_CASE;
const HASHES = answer + 1;

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  hashesPerSecond: number;
}

interface EventLoopDelay {
  p99Ms: number;
  maxMs: number;
}

async function time(solve: () => number | Promise<number>): Promise<Timing> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const found = await solve();
    samples.push(performance.now() - started);
    if (found !== answer) throw new Error(`expected ${answer}, got ${found}`);
  }
  samples.sort((a, b) => a - b);
  const medianMs = samples[Math.floor(samples.length / 2)];
  return {
    medianMs,
    minMs: samples[0],
    maxMs: samples[samples.length - 1],
    hashesPerSecond: HASHES / (medianMs / 1000),
  };
}

/** A search prepared per solve, as a worker does per job. */
function inThread(engine: PowEngine): Promise<Timing> {
  const solve = () => createPowSearch(challenge, engine).scan(0, challenge.difficulty);
  solve(); // JIT warm-up, and for wasm the tier-up from Liftoff to TurboFan
  return time(solve);
}

async function eventLoopDelayUnderLoad(solver: WorkerPowSolver): Promise<EventLoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: CONCURRENT_SOLVES }, () => solver.solve(challenge)));
  }
  histogram.disable();
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

/** One pool at a time, so that the two never compete for cores. */
async function pool(engine: PowEngine): Promise<{ timing: Timing; eventLoopDelay: EventLoopDelay }> {
  const solver = new WorkerPowSolver(WORKERS, () => startPowWorker(engine));
  try {
    await solver.solve(challenge); // thread start-up and warm-up
    const timing = await time(() => solver.solve(challenge));
    return { timing, eventLoopDelay: await eventLoopDelayUnderLoad(solver) };
  } finally {
    await solver.close();
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  const results: Record<string, { timing: Timing; eventLoopDelay?: EventLoopDelay }> = {
    'in-thread ts': { timing: await inThread('ts') },
    'in-thread wasm': { timing: await inThread('wasm') },
    [`pool wasm (${WORKERS} workers)`]: await pool('wasm'),
    [`pool ts (${WORKERS} workers)`]: await pool('ts'),
  };

  console.log(
    `PoW worst case: difficulty ${challenge.difficulty}, answer ${answer}, ${RUNS} runs each, Node ${process.version}`,
  );
  const rows = Object.entries(results).map(([name, { timing, eventLoopDelay }]) => {
    const row = {
      'median ms': round1(timing.medianMs),
      'min ms': round1(timing.minMs),
      'max ms': round1(timing.maxMs),
      'hashes/s': Math.round(timing.hashesPerSecond),
      [`loop p99 ms (${CONCURRENT_SOLVES} solves)`]: eventLoopDelay ? round1(eventLoopDelay.p99Ms) : '-',
    };
    return [name, row] as const;
  });
  console.table(Object.fromEntries(rows));
  console.log(`event-loop limit: 20 ms`);
  console.log(
    JSON.stringify({ bench: 'pow', runs: RUNS, workers: WORKERS, results }, (_key, v: unknown) =>
      typeof v === 'number' ? round1(v) : v,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
