/**
 * The last hour of traffic in one-minute buckets, for the console's small charts (`GET /admin/status`).
 * A ring of 60 buckets in this process's memory: with several replicas, each one shows only the
 * traffic it served itself (Prometheus, scraping every instance, sees the sum).
 *
 * Fed by MetricsService from the observations it already makes (a finished request, an upstream
 * error, a queue wait), so the two never count differently.
 */

export const HISTORY_MINUTES = 60;
const MINUTE_MS = 60_000;
/** TTFT samples kept per minute; past that a random sample replaces one (reservoir sampling). */
export const TTFT_SAMPLES_PER_MINUTE = 1_000;

export interface MinuteSummary {
  /** Start of the minute, ISO 8601. */
  start: string;
  /** API requests finished (operator routes such as /metrics, /admin/*, the console and probes are left out). */
  requests: number;
  status_4xx: number;
  status_5xx: number;
  /** Time to first token of the chat answers that finished in this minute (null without any). */
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  /** Waits for an account that ended in this minute. */
  queue_waits: number;
  queue_wait_avg_ms: number | null;
  queue_wait_max_ms: number | null;
  /** Upstream errors by kind (`muted`, `rate_limited`…), every phase. */
  errors: Record<string, number>;
}

interface Bucket {
  minute: number;
  requests: number;
  status4xx: number;
  status5xx: number;
  ttft: number[];
  ttftSeen: number;
  queueWaits: number;
  queueWaitSum: number;
  queueWaitMax: number;
  errors: Map<string, number>;
}

const emptyBucket = (minute: number): Bucket => ({
  minute,
  requests: 0,
  status4xx: 0,
  status5xx: 0,
  ttft: [],
  ttftSeen: 0,
  queueWaits: 0,
  queueWaitSum: 0,
  queueWaitMax: 0,
  errors: new Map(),
});

/** Nearest-rank percentile of sorted values (p in 0…100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export class MinuteHistory {
  private readonly buckets: (Bucket | undefined)[] = new Array<Bucket | undefined>(HISTORY_MINUTES);

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  request(status: number, ttftMs?: number): void {
    const bucket = this.current();
    bucket.requests++;
    if (status >= 500) bucket.status5xx++;
    else if (status >= 400) bucket.status4xx++;
    if (ttftMs !== undefined) this.addTtft(bucket, ttftMs);
  }

  upstreamError(kind: string): void {
    const { errors } = this.current();
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  }

  queueWait(ms: number): void {
    const bucket = this.current();
    bucket.queueWaits++;
    bucket.queueWaitSum += ms;
    bucket.queueWaitMax = Math.max(bucket.queueWaitMax, ms);
  }

  /** The last 60 minutes, oldest first, the current (unfinished) minute last; minutes without traffic are zeros. */
  minutes(): MinuteSummary[] {
    const current = this.minuteNow();
    const result: MinuteSummary[] = [];
    for (let minute = current - HISTORY_MINUTES + 1; minute <= current; minute++) {
      result.push(summarize(this.bucketAt(minute) ?? emptyBucket(minute)));
    }
    return result;
  }

  /** TTFT percentiles over every sample still in the ring (the last hour). */
  ttftOverHour(): { p50: number | null; p95: number | null } {
    const current = this.minuteNow();
    const samples: number[] = [];
    for (let minute = current - HISTORY_MINUTES + 1; minute <= current; minute++) {
      samples.push(...(this.bucketAt(minute)?.ttft ?? []));
    }
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  }

  private minuteNow(): number {
    return Math.floor(this.now() / MINUTE_MS);
  }

  private bucketAt(minute: number): Bucket | undefined {
    const bucket = this.buckets[mod(minute, HISTORY_MINUTES)];
    return bucket?.minute === minute ? bucket : undefined;
  }

  /** The bucket of this minute, replacing the one of an hour (or more) ago in its slot. */
  private current(): Bucket {
    const minute = this.minuteNow();
    const slot = mod(minute, HISTORY_MINUTES);
    let bucket = this.buckets[slot];
    if (bucket?.minute !== minute) {
      bucket = emptyBucket(minute);
      this.buckets[slot] = bucket;
    }
    return bucket;
  }

  private addTtft(bucket: Bucket, ms: number): void {
    bucket.ttftSeen++;
    if (bucket.ttft.length < TTFT_SAMPLES_PER_MINUTE) {
      bucket.ttft.push(ms);
      return;
    }
    const index = Math.floor(this.random() * bucket.ttftSeen);
    if (index < TTFT_SAMPLES_PER_MINUTE) bucket.ttft[index] = ms;
  }
}

function summarize(bucket: Bucket): MinuteSummary {
  const ttft = [...bucket.ttft].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return {
    start: new Date(bucket.minute * MINUTE_MS).toISOString(),
    requests: bucket.requests,
    status_4xx: bucket.status4xx,
    status_5xx: bucket.status5xx,
    ttft_p50_ms: round(percentile(ttft, 50)),
    ttft_p95_ms: round(percentile(ttft, 95)),
    queue_waits: bucket.queueWaits,
    queue_wait_avg_ms: bucket.queueWaits ? Math.round(bucket.queueWaitSum / bucket.queueWaits) : null,
    queue_wait_max_ms: bucket.queueWaits ? Math.round(bucket.queueWaitMax) : null,
    errors: Object.fromEntries(bucket.errors),
  };
}

const mod = (n: number, m: number) => ((n % m) + m) % m;
