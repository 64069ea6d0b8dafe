/** What one replica learned about an account and every replica must know (absolute times, ms since epoch). */
export interface SharedAccountState {
  /** `users/current` (or a successful generation) vouched for the token until then; 0: check before use. */
  validUntil: number;
  invalidUntil: number;
  mutedUntil: number;
  suspended: boolean;
  banned: boolean;
  coolUntil: number;
  /** Consecutive busy/throttled refusals, for the backoff. */
  refusals: number;
  lastError: { kind: string; at: number } | null;
}

/** The operator's quotas per account (0: no limit). */
export interface StartQuota {
  minIntervalMs: number;
  maxPerHour: number;
}

/** A shared quota's answer: whether this start may go ahead, and the account's starts of the last hour (all replicas). */
export interface StartClaim {
  granted: boolean;
  starts: number[];
}

export interface KnownAccountState {
  state: SharedAccountState | null;
  /** Generation starts of the last hour, oldest first. */
  starts: number[];
}

/**
 * Carries account health and generation starts between replicas (REDIS_URL). Without it each process
 * learns on its own. Publishing never throws: health is advice, and a replica that missed an update
 * learns it from the account itself at worst.
 */
export abstract class AccountStateSync {
  /** Shares this replica's view of the account; other replicas replace theirs with it. */
  abstract publishState(accountId: string, state: SharedAccountState): void;

  /** Shares a generation start that no quota had to approve. */
  abstract publishStart(accountId: string, at: number): void;

  /** This replica's last start on the account counts from `to` instead (the upstream accepted the request then). */
  abstract restampStart(accountId: string, from: number, to: number): void;

  /**
   * Records a generation start if the shared quota allows it, atomically across replicas. Rejects when
   * the shared store cannot be reached (the caller decides alone then).
   */
  abstract claimStart(accountId: string, at: number, quota: StartQuota): Promise<StartClaim>;

  /** What the shared store knows of these accounts (those it does not know are absent). */
  abstract load(accountIds: readonly string[]): Promise<Map<string, KnownAccountState>>;

  /** Listens to other replicas' updates. Returns the unsubscribe function. */
  abstract onUpdate(listener: (accountId: string, update: AccountUpdate) => void): () => void;
}

/** Another replica's news: its view of an account, or a start (`replaces`: an earlier start it restamped). */
export type AccountUpdate = { state: SharedAccountState } | { start: number; replaces?: number };
