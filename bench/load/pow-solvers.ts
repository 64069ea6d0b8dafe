import { PowUnsolvableError } from '../../src/deepseek/pow/pow-challenge';
import { findPowAnswer } from '../../src/deepseek/pow/pow-search';
import { WorkerPowSolver } from '../../src/deepseek/pow/worker-pow-solver';
import type { SolvePow } from './direct-stream';

/** On the calling thread: the cheapest for trivial difficulties. */
export const solveInline: SolvePow = (challenge) => {
  const answer = findPowAnswer(challenge);
  if (answer === null) return Promise.reject(new PowUnsolvableError('no PoW answer'));
  return Promise.resolve(answer);
};

/** The gateway's own worker pool with the same thread count: the same PoW cost, so TTFBs compare. */
export function workerSolver(threads: number): { solve: SolvePow; close: () => Promise<void> } {
  const pool = new WorkerPowSolver(threads);
  return { solve: (challenge) => pool.solve(challenge), close: () => pool.close() };
}
