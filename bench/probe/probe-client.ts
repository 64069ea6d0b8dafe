import type { ProbeSnapshot } from './probe-types';

/** Talks to the gateway probe's side port. */
export class ProbeClient {
  constructor(readonly baseUrl: string) {}

  async snapshot(): Promise<ProbeSnapshot> {
    return (await this.call('GET', '/snapshot')) as ProbeSnapshot;
  }

  async resetEventLoopDelay(): Promise<void> {
    await this.call('POST', '/eld/reset');
  }

  /** A full GC when the gateway runs with --expose-gc; false otherwise. */
  async collectGarbage(): Promise<boolean> {
    return (await this.collectGarbageTimed()) !== null;
  }

  /** A full GC: how long it blocked the gateway's event loop (ms), null without --expose-gc. */
  async collectGarbageTimed(): Promise<number | null> {
    const { ok, ms } = (await this.call('POST', '/gc')) as { ok: boolean; ms?: number };
    return ok ? (ms ?? 0) : null;
  }

  /** When each request with an `x-bench-marker` header reached the gateway's HTTP server (wall clock). */
  async arrivals(): Promise<Record<string, number>> {
    return (await this.call('GET', '/arrivals')) as Record<string, number>;
  }

  async resetArrivals(): Promise<void> {
    await this.call('POST', '/arrivals/reset');
  }

  async startProfile(): Promise<void> {
    await this.call('POST', '/profile/start');
  }

  async stopProfile(path: string): Promise<void> {
    await this.call('POST', '/profile/stop', path);
  }

  private async call(method: string, path: string, body?: string): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, body, headers: { connection: 'close' } });
    const value: unknown = await response.json();
    if (!response.ok) throw new Error(`gateway probe ${path}: ${JSON.stringify(value)}`);
    return value;
  }
}

/** CPU (ms) the gateway spent between two snapshots, all threads. */
export function cpuBetween(before: ProbeSnapshot, after: ProbeSnapshot): number {
  return after.cpuUserMs + after.cpuSystemMs - (before.cpuUserMs + before.cpuSystemMs);
}
