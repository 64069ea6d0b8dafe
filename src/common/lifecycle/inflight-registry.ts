import { Injectable, Logger } from '@nestjs/common';

/** Ends a request that is still running when the grace period is over. */
export class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
  constructor() {
    super('The server is shutting down; retry the request.');
  }
}

/**
 * Requests in flight, so a shutdown can stop admitting new ones, let running answers finish
 * within a grace period, and end the rest with an error instead of cutting them off silently.
 */
@Injectable()
export class InflightRegistry {
  private readonly logger = new Logger(InflightRegistry.name);
  private readonly active = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  get size(): number {
    return this.active.size;
  }

  /** Tracks a request until the returned function is called (call it exactly when the answer ended). */
  track(controller: AbortController): () => void {
    this.active.add(controller);
    return () => {
      this.active.delete(controller);
      if (this.active.size === 0) this.notifyIdle();
    };
  }

  /** Stops admitting, waits up to `graceMs` for running requests, then aborts the rest. */
  async drain(graceMs: number): Promise<{ finished: number; aborted: number }> {
    this.drainingSince ??= Date.now();
    const before = this.active.size;
    if (before > 0) {
      this.logger.log(`draining ${before} request(s), up to ${graceMs} ms`);
      await Promise.race([this.whenIdle(), delay(graceMs)]);
    }
    const remaining = [...this.active];
    for (const controller of remaining) controller.abort(new ShutdownError());
    if (remaining.length > 0) await Promise.race([this.whenIdle(), delay(1000)]);
    return { finished: before - remaining.length, aborted: remaining.length };
  }

  private whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
