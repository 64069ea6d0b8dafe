/**
 * PoW solver benchmark: the worst case (difficulty 144000, answer 143999) solved on this thread and through the
 * worker pool, plus the event-loop delay of the main thread while four solves share the pool.
 *
 *   npx ts-node --transpile-only bench/pow.bench.ts      (BENCH_RUNS=15, POW_WORKERS=2 by default)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { findPowAnswer } from '../src/deepseek/pow/pow-search';
import { POW_WORST_CASE } from '../src/deepseek/pow/pow-test-vectors';
import { WorkerPowSolver } from '../src/deepseek/pow/worker-pow-solver';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
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

async function time(runs: number, solve: () => number | null | Promise<number>): Promise<Timing> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
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

async function eventLoopDelayUnderLoad(solver: WorkerPowSolver): Promise<{ p99Ms: number; maxMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: CONCURRENT_SOLVES }, () => solver.solve(challenge)));
  }
  histogram.disable();
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  findPowAnswer(challenge); // JIT warm-up
  const inThread = await time(RUNS, () => findPowAnswer(challenge));

  const solver = new WorkerPowSolver(WORKERS);
  try {
    await solver.solve(challenge); // thread start-up and warm-up
    const pool = await time(RUNS, () => solver.solve(challenge));
    const loop = await eventLoopDelayUnderLoad(solver);

    const row = (t: Timing) => ({
      'median ms': round1(t.medianMs),
      'min ms': round1(t.minMs),
      'max ms': round1(t.maxMs),
      'hashes/s': Math.round(t.hashesPerSecond),
    });
    console.log(
      `PoW worst case: difficulty ${challenge.difficulty}, answer ${answer}, ${RUNS} runs, Node ${process.version}`,
    );
    console.table({ 'in-thread': row(inThread), [`pool (${WORKERS} workers)`]: row(pool) });
    console.log(
      `event-loop delay with ${CONCURRENT_SOLVES} concurrent pool solves: p99 ${round1(loop.p99Ms)} ms, max ${round1(loop.maxMs)} ms (limit 20 ms)`,
    );
    console.log(
      JSON.stringify(
        { bench: 'pow', runs: RUNS, workers: WORKERS, inThread, pool, eventLoopDelay: loop },
        (_key, v: unknown) => (typeof v === 'number' ? round1(v) : v),
      ),
    );
  } finally {
    await solver.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
