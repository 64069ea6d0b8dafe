import { PowChallenge } from './pow-challenge';
import type { PowEngine, PowEngineChoice } from './pow-engine';
import { PowScanner } from './pow-search';

/** Nonces a worker claims at a time: at most a millisecond of work, so cancellation and load balancing stay quick. */
export const POW_SLICE = 1024;

/** Int32 slots of the SharedArrayBuffer that the pool and all workers on one job share. */
export const ControlSlot = {
  /** Index of the next unclaimed slice. */
  NextSlice: 0,
  /** Non-zero once the job is cancelled. */
  Cancelled: 1,
  /** Smallest answer found so far; `difficulty` while none. */
  Best: 2,
} as const;

/** The `workerData` of a solver thread. */
export interface PowWorkerData {
  engine?: PowEngineChoice;
}

export interface PowWorkerJob {
  jobId: number;
  challenge: PowChallenge;
  control: SharedArrayBuffer;
}

export type PowWorkerReply =
  | { kind: 'ready'; engine: PowEngine }
  | { kind: 'done'; jobId: number }
  | { kind: 'failed'; jobId: number; message: string };

export function createControl(difficulty: number): Int32Array<SharedArrayBuffer> {
  const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  control[ControlSlot.Best] = difficulty;
  return control;
}

/** Slices not claimed yet that start below the best answer so far; 0 once the job is cancelled. */
export function unclaimedSlices(control: Int32Array, difficulty: number): number {
  if (Atomics.load(control, ControlSlot.Cancelled) !== 0) return 0;
  const limit = Math.min(difficulty, Atomics.load(control, ControlSlot.Best));
  return Math.max(0, Math.ceil(limit / POW_SLICE) - Atomics.load(control, ControlSlot.NextSlice));
}

/** True while some nonce below the best answer so far is still unclaimed. */
export function hasUnclaimedWork(control: Int32Array, difficulty: number): boolean {
  return unclaimedSlices(control, difficulty) > 0;
}

/**
 * Claims slices of the nonce range until none is left below the best answer so far, recording any answer found.
 * Several threads may run this on the same `control` at once; the smallest answer wins, because every slice that
 * starts below the final answer has been scanned in full.
 */
export function runPowSlices(search: PowScanner, control: Int32Array): void {
  while (Atomics.load(control, ControlSlot.Cancelled) === 0) {
    const start = Atomics.add(control, ControlSlot.NextSlice, 1) * POW_SLICE;
    const end = Math.min(start + POW_SLICE, search.difficulty, Atomics.load(control, ControlSlot.Best));
    if (start >= end) return;
    const found = search.scan(start, end);
    if (found >= 0) lowerBest(control, found);
  }
}

function lowerBest(control: Int32Array, answer: number): void {
  let best = Atomics.load(control, ControlSlot.Best);
  while (answer < best) {
    const seen = Atomics.compareExchange(control, ControlSlot.Best, best, answer);
    if (seen === best) return;
    best = seen;
  }
}
