/**
 * The direct path's account scheduler for the burst: a perfect FIFO over the accounts, one generation
 * per account, with the gateway's queue timeout. No I/O, no overhead: the design's lower bound.
 */
export class AccountFifo {
  private readonly free: string[];
  private readonly waiting: { resolve: (account: string | null) => void; timer: NodeJS.Timeout }[] = [];

  constructor(accounts: readonly string[]) {
    this.free = [...accounts];
  }

  /** An account, or null after `timeoutMs` in the queue (the gateway's 429). */
  acquire(timeoutMs: number): Promise<string | null> {
    const account = this.free.shift();
    if (account !== undefined) return Promise.resolve(account);
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          resolve(null);
        }, timeoutMs),
      };
      this.waiting.push(entry);
    });
  }

  release(account: string): void {
    const next = this.waiting.shift();
    if (!next) {
      this.free.push(account);
      return;
    }
    clearTimeout(next.timer);
    next.resolve(account);
  }
}
