import type { StreamOutcome } from './stream-outcome';

/** Starts `count` tasks spread evenly over `rampMs` (all at once for 0) and resolves with every result. */
export function launchRamped<T>(count: number, rampMs: number, task: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<T>((resolve, reject) => {
          const start = (): void => void task(index).then(resolve, reject);
          if (rampMs <= 0) start();
          else setTimeout(start, (index * rampMs) / count);
        }),
    ),
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Failures by reason, e.g. `{ http_429: 12, truncated: 1 }`; a short stream counts as `short`. */
export function tallyErrors(outcomes: readonly StreamOutcome[], expectedFrames?: number): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const outcome of outcomes) {
    const reason = outcome.error ?? (expectedFrames !== undefined && outcome.frames < expectedFrames ? 'short' : null);
    if (reason !== null) tally[reason] = (tally[reason] ?? 0) + 1;
  }
  return tally;
}

/** The first failures with their timing (ms since `phaseStart`, performance.now()), for the JSON file. */
export function failureSamples(outcomes: readonly StreamOutcome[], phaseStart: number, limit = 50) {
  return outcomes
    .filter((o) => o.error !== undefined)
    .slice(0, limit)
    .map((o) => ({
      marker: o.marker,
      error: o.error,
      sentMs: Math.round(o.startedAt - phaseStart),
      headersMs: o.headersAt === null ? null : Math.round(o.headersAt - o.startedAt),
      endedMs: Math.round(o.endedAt - phaseStart),
      frames: o.frames,
    }));
}

export function countErrors(tally: Record<string, number>): number {
  return Object.values(tally).reduce((sum, n) => sum + n, 0);
}

export function describeTally(tally: Record<string, number>): string {
  const entries = Object.entries(tally);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${reason}×${n}`).join(', ');
}
