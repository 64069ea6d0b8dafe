import { parentPort, workerData } from 'node:worker_threads';
import { createPowSearch, PowEngine, resolvePowEngine } from './pow-engine';
import { PowWorkerData, PowWorkerJob, PowWorkerReply, runPowSlices } from './pow-worker-protocol';

// Entry point of a WorkerPowSolver thread: runs one job at a time and reports when it has nothing left to claim.

function warmUp(engine: PowEngine): void {
  // Gets the search optimised before the first real job; this challenge has no answer.
  const search = createPowSearch(
    {
      algorithm: 'DeepSeekHashV1',
      challenge: '0'.repeat(64),
      salt: '0123456789abcdef0123',
      signature: '',
      difficulty: 12_000,
      expireAt: 1_700_000_000_000,
      targetPath: '',
    },
    engine,
  );
  search.scan(0, 2_000);
  search.scan(9_000, 12_000);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const port = parentPort;
if (!port) throw new Error('pow.worker must run in a worker thread');

const engine = resolvePowEngine((workerData as PowWorkerData | null)?.engine);
warmUp(engine);
port.postMessage({ kind: 'ready', engine } satisfies PowWorkerReply);
port.on('message', (job: PowWorkerJob) => {
  let reply: PowWorkerReply;
  try {
    runPowSlices(createPowSearch(job.challenge, engine), new Int32Array(job.control));
    reply = { kind: 'done', jobId: job.jobId };
  } catch (error) {
    reply = { kind: 'failed', jobId: job.jobId, message: messageOf(error) };
  }
  port.postMessage(reply);
});
