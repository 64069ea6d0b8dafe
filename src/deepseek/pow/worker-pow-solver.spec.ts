import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PowUnsolvableError } from './pow-challenge';
import { PowEngineChoice } from './pow-engine';
import { MAX_POW_DIFFICULTY } from './pow-search';
import { POW_NO_ANSWER, POW_SOLVE_VECTORS, POW_WORST_CASE } from '../../../test/utils/deepseek/pow-test-vectors';
import { POW_SLICE, PowWorkerData, PowWorkerJob, PowWorkerReply } from './pow-worker-protocol';
import { startPowWorker, WorkerPowSolver } from './worker-pow-solver';

// Worker threads compile TypeScript through ts-node on start, which is slow on a busy machine.
jest.setTimeout(60_000);

const ANSWER_42 = POW_SOLVE_VECTORS[2].challenge;
/** No preimage is known for this digest and the range takes many minutes to scan: a job that runs until cancelled. */
const ENDLESS = { ...POW_NO_ANSWER, challenge: '0'.repeat(64), difficulty: MAX_POW_DIFFICULTY };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A thread that reports ready and then dies on its first job. */
function crashingWorker(): Worker {
  const source = `const { parentPort } = require('node:worker_threads');
    parentPort.postMessage({ kind: 'ready' });
    parentPort.once('message', () => process.exit(7));`;
  return new Worker(source, { eval: true });
}

/** The real solver thread, started where `WebAssembly` does not exist (as under `node --jitless`). */
function workerWithoutWebAssembly(engine: PowEngineChoice): Worker {
  const source = `delete globalThis.WebAssembly;
    require(${JSON.stringify(require.resolve('ts-node/register/transpile-only'))});
    require(${JSON.stringify(join(__dirname, 'pow.worker.ts'))});`;
  const workerData: PowWorkerData = { engine };
  const project = join(__dirname, '../../../tsconfig.json');
  return new Worker(source, { eval: true, workerData, env: { ...process.env, TS_NODE_PROJECT: project } });
}

/** Starts threads with `start`, noting the engine each one reports once ready. */
function noteEngines(start: () => Worker, engines: string[]): () => Worker {
  return () => {
    const worker = start();
    worker.on('message', (reply: PowWorkerReply) => {
      if (reply.kind === 'ready') engines.push(reply.engine);
    });
    return worker;
  };
}

describe('WorkerPowSolver', () => {
  describe('with two threads', () => {
    let solver: WorkerPowSolver;

    beforeAll(async () => {
      solver = new WorkerPowSolver(2);
      await solver.solve(ANSWER_42);
    });

    afterAll(() => solver.close());

    it('should solve the worst case', async () => {
      await expect(solver.solve(POW_WORST_CASE.challenge)).resolves.toBe(POW_WORST_CASE.answer);
    });

    it('should solve concurrent challenges, more than it has threads', async () => {
      const answers = await Promise.all(POW_SOLVE_VECTORS.map(({ challenge }) => solver.solve(challenge)));

      expect(answers).toEqual(POW_SOLVE_VECTORS.map(({ answer }) => answer));
    });

    it('should reject with PowUnsolvableError when no nonce below the difficulty matches', async () => {
      await expect(solver.solve(POW_NO_ANSWER)).rejects.toThrow(PowUnsolvableError);
      await expect(solver.solve(POW_NO_ANSWER)).rejects.toThrow('No PoW answer below difficulty 144000');
    });

    it('should reject an unsupported algorithm with PowUnsolvableError', async () => {
      await expect(solver.solve({ ...ANSWER_42, algorithm: 'Sha256' })).rejects.toThrow(PowUnsolvableError);
    });

    it('should reject a running job on abort and go on with the next one', async () => {
      const controller = new AbortController();
      const endless = solver.solve(ENDLESS, controller.signal);
      await sleep(100);
      controller.abort();

      await expect(endless).rejects.toMatchObject({ name: 'AbortError' });
      // Were the threads still on the endless job, this one would never start.
      await expect(solver.solve(ANSWER_42)).resolves.toBe(42);
    });

    it('should reject a queued job on abort while the job ahead of it goes on', async () => {
      const controller = new AbortController();
      const first = solver.solve(POW_WORST_CASE.challenge);
      const queued = solver.solve(ANSWER_42, controller.signal);
      controller.abort();

      await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
      await expect(first).resolves.toBe(POW_WORST_CASE.answer);
    });

    it('should reject with the abort reason of a signal that is already aborted', async () => {
      const reason = new Error('client went away');

      await expect(solver.solve(ANSWER_42, AbortSignal.abort(reason))).rejects.toBe(reason);
    });
  });

  describe.each(['wasm', 'ts'] as const)('with the %s engine forced', (engine) => {
    const engines: string[] = [];
    let solver: WorkerPowSolver;

    beforeAll(() => {
      solver = new WorkerPowSolver(
        2,
        noteEngines(() => startPowWorker(engine), engines),
      );
    });

    afterAll(() => solver.close());

    it('should solve every vector on threads that use that engine', async () => {
      const answers = await Promise.all(POW_SOLVE_VECTORS.map(({ challenge }) => solver.solve(challenge)));

      expect(answers).toEqual(POW_SOLVE_VECTORS.map(({ answer }) => answer));
      expect(engines).toEqual([engine, engine]);
    });

    it('should reject with PowUnsolvableError when no nonce below the difficulty matches', async () => {
      await expect(solver.solve(POW_NO_ANSWER)).rejects.toThrow(PowUnsolvableError);
    });
  });

  describe('engines', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('should hash with WebAssembly by default', async () => {
      const engines: string[] = [];
      const solver = new WorkerPowSolver(1, noteEngines(startPowWorker, engines));

      await expect(solver.solve(ANSWER_42)).resolves.toBe(42);
      expect(engines).toEqual(['wasm']);
      await solver.close();
    });

    it('should fall back to TypeScript on a thread without WebAssembly', async () => {
      const engines: string[] = [];
      const solver = new WorkerPowSolver(
        1,
        noteEngines(() => workerWithoutWebAssembly('auto'), engines),
      );

      await expect(solver.solve(POW_SOLVE_VECTORS[0].challenge)).resolves.toBe(POW_SOLVE_VECTORS[0].answer);
      expect(engines).toEqual(['ts']);
      await solver.close();
    });

    it('should not start a thread forced onto WebAssembly where there is none', async () => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const solver = new WorkerPowSolver(1, () => workerWithoutWebAssembly('wasm'));

      await expect(solver.solve(ANSWER_42)).rejects.toThrow(/WebAssembly is not available/);
      await solver.close();
    });
  });

  describe('lifecycle', () => {
    beforeEach(() => {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('should give a job of one slice of nonces to one thread, and a bigger one to every thread', async () => {
      const jobsByThread: number[][] = [];
      const solver = new WorkerPowSolver(2, () => {
        const worker = startPowWorker();
        const jobs: number[] = [];
        jobsByThread.push(jobs);
        const post = worker.postMessage.bind(worker);
        worker.postMessage = (job: PowWorkerJob) => {
          jobs.push(job.jobId);
          post(job);
        };
        return worker;
      });
      const small = POW_SOLVE_VECTORS.find(({ challenge }) => challenge.difficulty <= POW_SLICE);
      if (!small) throw new Error('no PoW vector of one slice');

      await expect(solver.solve(small.challenge)).resolves.toBe(small.answer);
      const afterSmall = jobsByThread.flat().length;
      await expect(solver.solve(POW_WORST_CASE.challenge)).resolves.toBe(POW_WORST_CASE.answer);
      await solver.close();

      expect(afterSmall).toBe(1);
      expect(jobsByThread.map((jobs) => jobs.length).sort()).toEqual([1, 2]);
    });

    it('should queue jobs beyond its size and run them in order', async () => {
      const solver = new WorkerPowSolver(1);
      const finished: number[] = [];
      const jobs = POW_SOLVE_VECTORS.slice(0, 4).map(({ challenge }) =>
        solver.solve(challenge).then((answer) => finished.push(answer)),
      );
      await Promise.all(jobs);
      await solver.close();

      expect(finished).toEqual(POW_SOLVE_VECTORS.slice(0, 4).map(({ answer }) => answer));
    });

    it('should reject pending and later solves once closed', async () => {
      const solver = new WorkerPowSolver(1);
      const pending = expect(solver.solve(ENDLESS)).rejects.toThrow('The PoW solver was closed');
      await solver.close();

      await pending;
      await expect(solver.solve(ANSWER_42)).rejects.toThrow('The PoW solver is closed');
    });

    it('should reject the job of a thread that crashes and solve the next one on a new thread', async () => {
      const startWorker = jest.fn(startPowWorker).mockImplementationOnce(crashingWorker);
      const solver = new WorkerPowSolver(1, startWorker);

      await expect(solver.solve(ANSWER_42)).rejects.toThrow('PoW worker stopped unexpectedly (exit code 7)');
      await expect(solver.solve(ANSWER_42)).resolves.toBe(42);
      expect(startWorker).toHaveBeenCalledTimes(2);
      await solver.close();
    });

    it('should reject, not hang or respawn in a loop, when threads cannot start', async () => {
      const startWorker = jest.fn(() => new Worker("throw new Error('boom')", { eval: true }));
      const solver = new WorkerPowSolver(1, startWorker);

      await expect(solver.solve(ANSWER_42)).rejects.toThrow(/exit code 1.*boom/);
      await expect(solver.solve(ANSWER_42)).rejects.toThrow(/boom/);
      expect(startWorker).toHaveBeenCalledTimes(2);
      await solver.close();
    });

    it('should refuse a size below one', () => {
      expect(() => new WorkerPowSolver(0)).toThrow(RangeError);
    });
  });
});
