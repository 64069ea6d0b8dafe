import { parentPort } from 'node:worker_threads';
import { PowSearch } from './pow-search';
import { PowWorkerJob, PowWorkerReply, runPowSlices } from './pow-worker-protocol';

// Entry point of a WorkerPowSolver thread: runs one job at a time and reports when it has nothing left to claim.

function warmUp(): void {
  // Gets the search optimised before the first real job; this challenge has no answer.
  const search = new PowSearch({
    algorithm: 'DeepSeekHashV1',
    challenge: '0'.repeat(64),
    salt: '0123456789abcdef0123',
    signature: '',
    difficulty: 12_000,
    expireAt: 1_700_000_000_000,
    targetPath: '',
  });
  search.scan(0, 2_000);
  search.scan(9_000, 12_000);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const port = parentPort;
if (!port) throw new Error('pow.worker must run in a worker thread');

warmUp();
port.postMessage({ kind: 'ready' } satisfies PowWorkerReply);
port.on('message', (job: PowWorkerJob) => {
  let reply: PowWorkerReply;
  try {
    runPowSlices(new PowSearch(job.challenge), new Int32Array(job.control));
    reply = { kind: 'done', jobId: job.jobId };
  } catch (error) {
    reply = { kind: 'failed', jobId: job.jobId, message: messageOf(error) };
  }
  port.postMessage(reply);
});
