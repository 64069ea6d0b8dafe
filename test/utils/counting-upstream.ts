/**
 * Stands in for DeepSeek's one-generation-per-account rule: counts generations in flight per account
 * and the most ever seen at once, which is what a busy refusal would have caught.
 */
export class CountingUpstream {
  private readonly inFlight = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  /** Account ids in the order their generations started. */
  readonly starts: string[] = [];

  async generate<T>(accountId: string, work: () => Promise<T>): Promise<T> {
    const now = (this.inFlight.get(accountId) ?? 0) + 1;
    this.inFlight.set(accountId, now);
    this.peaks.set(accountId, Math.max(now, this.peaks.get(accountId) ?? 0));
    this.starts.push(accountId);
    try {
      return await work();
    } finally {
      this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 1) - 1);
    }
  }

  /** The most generations ever in flight at once on one account. */
  peak(accountId: string): number {
    return this.peaks.get(accountId) ?? 0;
  }

  maxPeak(): number {
    return Math.max(0, ...this.peaks.values());
  }

  totalInFlight(): number {
    return [...this.inFlight.values()].reduce((sum, n) => sum + n, 0);
  }
}
