/** What the gateway probe (gateway-probe.ts) answers on `GET /snapshot`. Times in ms, sizes in bytes. */
export interface ProbeSnapshot {
  pid: number;
  /** Date.now() when taken. */
  at: number;
  /** process.cpuUsage() of the whole process (every thread), in ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** The event-loop delay histogram since its last reset. */
  eventLoopDelay: EventLoopDelaySummary;
}

/**
 * perf_hooks' histogram records the time between its timer's ticks, so an idle loop reads about the
 * resolution (10 ms). These figures are the delay beyond it: (recorded − resolution), at least 0.
 */
export interface EventLoopDelaySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** Sampling interval of the histogram. */
  resolutionMs: number;
}
