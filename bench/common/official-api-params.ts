/**
 * Scenario 6 (the official-API path): sizes, full and --quick. The gateway runs with `UPSTREAM_MODE=api`
 * in front of the fake official API (test/fake-official-api), which paces its pieces itself.
 */
export interface OfficialApiParams {
  kind: 'official-api';
  /** The fake's `--token-delay`: pause between two streamed pieces. */
  frameIntervalMs: number;
  /** Latency: samples per target, one request at a time, targets interleaved; after the warm-ups. */
  latencySamples: number;
  latencyWarmup: number;
  /** Latency: content pieces per answer (the request's `max_tokens`). */
  latencyFrames: number;
  /** CPU: concurrent streams × content frames each (the fake's `--tokens-per-answer`). */
  streams: number;
  frames: number;
  /** Stream starts are spread over this long. */
  rampMs: number;
  /** API keys of the fake and the gateway, and each key's concurrency in the gateway (`key=N`). */
  apiKeys: number;
  keyConcurrency: number;
  /** RSS of the gateway sampled through the probe this often during the CPU phase. */
  rssSampleEveryMs: number;
}

export function officialApiParams(quick: boolean): OfficialApiParams {
  const streams = quick ? 20 : 100;
  const apiKeys = 4;
  return {
    kind: 'official-api',
    frameIntervalMs: 20,
    latencySamples: quick ? 10 : 100,
    latencyWarmup: quick ? 2 : 10,
    latencyFrames: 5,
    streams,
    frames: quick ? 50 : 200,
    rampMs: quick ? 200 : 1000,
    apiKeys,
    // Room for every stream plus the warm-up's, so no request waits for a key.
    keyConcurrency: Math.ceil(streams / apiKeys) + 8,
    rssSampleEveryMs: 250,
  };
}

/** Fake API keys (never real credentials); the fake accepts exactly these. */
export function benchApiKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-api-key-${i}`);
}
