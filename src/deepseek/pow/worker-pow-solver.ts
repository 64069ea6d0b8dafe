import { Logger, OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortReason } from '../../common/lifecycle/abort';
import { PowChallenge, PowSolver, PowUnsolvableError } from './pow-challenge';
import { PowEngineChoice } from './pow-engine';
import { assertSupportedChallenge } from './pow-search';
import {
  ControlSlot,
  createControl,
  hasUnclaimedWork,
  PowWorkerData,
  PowWorkerJob,
  PowWorkerReply,
  unclaimedSlices,
} from './pow-worker-protocol';

/**
 * Starts one solver thread, hashing with WebAssembly when it can (`auto`) or with the engine given. Under ts-jest or
 * ts-node this module is TypeScript, and so is the worker file.
 */
export function startPowWorker(engine: PowEngineChoice = 'auto'): Worker {
  const workerData: PowWorkerData = { engine };
  if (!__filename.endsWith('.ts')) return new Worker(join(__dirname, 'pow.worker.js'), { workerData });
  // ts-node looks for tsconfig.json from the working directory, which need not be this project.
  const project = process.env.TS_NODE_PROJECT ?? findTsconfig(__dirname);
  return new Worker(join(__dirname, 'pow.worker.ts'), {
    workerData,
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    env: project ? { ...process.env, TS_NODE_PROJECT: project } : process.env,
  });
}

function findTsconfig(dir: string): string | undefined {
  for (let current = dir; dirname(current) !== current; current = dirname(current)) {
    if (existsSync(join(current, 'tsconfig.json'))) return join(current, 'tsconfig.json');
  }
  return undefined;
}

interface PowJob {
  readonly id: number;
  readonly challenge: PowChallenge;
  readonly control: Int32Array<SharedArrayBuffer>;
  readonly resolve: (answer: number) => void;
  readonly reject: (error: Error) => void;
  readonly detach: () => void;
  /** Threads currently claiming slices of this job. */
  workers: number;
  settled: boolean;
}

interface PoolSlot {
  readonly worker: Worker;
  job: PowJob | null;
  /** Set once the thread has loaded and warmed up; a thread that dies before that is not respawned at once. */
  ready: boolean;
  error?: Error;
}

/**
 * PowSolver on a pool of worker threads. Every idle thread joins the oldest job that still has unclaimed nonces,
 * so a lone job is split across the whole pool and later jobs queue behind it. To force an engine, pass
 * `() => startPowWorker('ts')` (or `'wasm'`) as `startWorker`.
 */
export class WorkerPowSolver extends PowSolver implements OnModuleDestroy {
  private readonly logger = new Logger(WorkerPowSolver.name);
  private readonly slots: (PoolSlot | null)[];
  private readonly jobs: PowJob[] = [];
  private nextJobId = 1;
  private closed = false;

  constructor(
    size = 2,
    private readonly startWorker: () => Worker = startPowWorker,
  ) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`PoW pool size must be a positive integer: ${size}`);
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  async solve(challenge: PowChallenge, signal?: AbortSignal): Promise<number> {
    if (this.closed) throw new Error('The PoW solver is closed');
    if (signal?.aborted) throw abortReason(signal);
    assertSupportedChallenge(challenge);
    for (let i = 0; i < this.slots.length; i++) this.slots[i] ??= this.spawn();
    return await new Promise<number>((resolve, reject) => {
      const onAbort = () => this.settle(job, abortReason(signal));
      const control = createControl(challenge.difficulty);
      const job: PowJob = {
        id: this.nextJobId++,
        challenge,
        control,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
        workers: 0,
        settled: false,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.jobs.push(job);
      this.finishIfDone(job);
      this.dispatch();
    });
  }

  /** Rejects every unsettled solve and terminates the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of [...this.jobs]) this.settle(job, new Error('The PoW solver was closed'));
    const workers = this.slots.flatMap((slot) => (slot ? [slot.worker] : []));
    this.slots.fill(null);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private spawn(): PoolSlot {
    const slot: PoolSlot = { worker: this.startWorker(), job: null, ready: false };
    slot.worker.unref();
    slot.worker.on('message', (reply: PowWorkerReply) => this.onReply(slot, reply));
    slot.worker.on('error', (error) => (slot.error = error));
    slot.worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private respawn(): PoolSlot | null {
    try {
      return this.spawn();
    } catch (error) {
      this.logger.warn(`Could not restart a PoW worker: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot || slot.job) continue;
      // No more threads on a job than it has slices left: a second thread on a one-slice job (small difficulty)
      // would only wake, set up its search and find nothing to claim.
      const job = this.jobs.find(
        (candidate) => candidate.workers < unclaimedSlices(candidate.control, candidate.challenge.difficulty),
      );
      if (!job) return;
      slot.job = job;
      job.workers++;
      slot.worker.ref();
      const message: PowWorkerJob = { jobId: job.id, challenge: job.challenge, control: job.control.buffer };
      slot.worker.postMessage(message);
    }
  }

  private onReply(slot: PoolSlot, reply: PowWorkerReply): void {
    if (reply.kind === 'ready') {
      slot.ready = true;
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.jobId) return;
    this.release(slot, job);
    if (reply.kind === 'failed') this.settle(job, new Error(`PoW worker failed: ${reply.message}`));
    this.finishIfDone(job);
    this.dispatch();
  }

  private onExit(slot: PoolSlot, code: number): void {
    const index = this.slots.indexOf(slot);
    if (this.closed || index < 0) return;
    const reason = `PoW worker stopped unexpectedly (exit code ${code})${slot.error ? `: ${slot.error.message}` : ''}`;
    this.logger.warn(reason);
    const job = slot.job;
    if (job) {
      this.release(slot, job);
      this.settle(job, new Error(reason));
    }
    // A thread that never got ready will likely fail again: retry on the next solve() instead of looping.
    this.slots[index] = slot.ready ? this.respawn() : null;
    if (this.slots.every((other) => other === null)) {
      for (const waiting of [...this.jobs]) this.settle(waiting, new Error(reason));
    }
    this.dispatch();
  }

  private release(slot: PoolSlot, job: PowJob): void {
    slot.job = null;
    slot.worker.unref();
    job.workers--;
  }

  private finishIfDone(job: PowJob): void {
    const { difficulty } = job.challenge;
    if (job.settled || job.workers > 0 || hasUnclaimedWork(job.control, difficulty)) return;
    const best = Atomics.load(job.control, ControlSlot.Best);
    this.settle(job, best < difficulty ? best : new PowUnsolvableError(`No PoW answer below difficulty ${difficulty}`));
  }

  private settle(job: PowJob, outcome: number | Error): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    // Threads still on the job see this between slices and move on.
    Atomics.store(job.control, ControlSlot.Cancelled, 1);
    this.jobs.splice(this.jobs.indexOf(job), 1);
    if (typeof outcome === 'number') job.resolve(outcome);
    else job.reject(outcome);
  }
}
