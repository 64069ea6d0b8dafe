/**
 * The waiting queues of the other replicas, for fairness across them. Each replica tells the others, per
 * set of candidate accounts, when its oldest waiter started; a replica about to give a free account to a
 * waiter first lets an older waiter of another replica take it (SlotDispatcher). One process has no peers.
 */
export abstract class PeerQueues {
  /** This replica's oldest waiter per candidate set (a set nobody waits for is absent). */
  abstract report(oldest: ReadonlyMap<string, number>): void;

  /** When the oldest waiter for `candidateKey` on another live replica started, if before `than`. */
  abstract olderElsewhere(candidateKey: string, than: number, now?: number): number | undefined;

  /** Calls `listener` when another replica's queues changed. Returns the unsubscribe function. */
  abstract onChange(listener: () => void): () => void;
}
