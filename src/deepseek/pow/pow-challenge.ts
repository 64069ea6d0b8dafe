/** A PoW challenge as `create_pow_challenge` returns it (docs/protocol.md §4.3), in our names. */
export interface PowChallenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  difficulty: number;
  /** Unix milliseconds. */
  expireAt: number;
  targetPath: string;
}

/** Thrown when a challenge cannot be answered: unknown algorithm, or no nonce below the difficulty. */
export class PowUnsolvableError extends Error {
  override readonly name = 'PowUnsolvableError';
}

/** Solves challenges off the event loop. Bound to a worker-thread pool in DeepSeekModule. */
export abstract class PowSolver {
  /** Resolves the smallest answer in [0, difficulty); rejects with PowUnsolvableError, or `abortReason(signal)` on abort. */
  abstract solve(challenge: PowChallenge, signal?: AbortSignal): Promise<number>;
}
