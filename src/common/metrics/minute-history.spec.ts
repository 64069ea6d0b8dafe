import { HISTORY_MINUTES, MinuteHistory, percentile, TTFT_SAMPLES_PER_MINUTE } from './minute-history';
import { MetricsService } from './metrics.service';

const MINUTE = 60_000;
/** 2026-01-01T00:00:00Z, a whole minute, plus a few seconds into it. */
const T0 = Date.UTC(2026, 0, 1) + 5_000;

function clock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('percentile (nearest rank)', () => {
  it('should pick the nearest-rank value, null for no samples', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(1);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('MinuteHistory (the console ring buffer)', () => {
  it('should list 60 minutes, oldest first, the current minute last, all zeros without traffic', () => {
    const time = clock();
    const minutes = new MinuteHistory(time.now).minutes();

    expect(minutes).toHaveLength(HISTORY_MINUTES);
    expect(minutes[HISTORY_MINUTES - 1].start).toBe('2026-01-01T00:00:00.000Z');
    expect(minutes[0].start).toBe('2025-12-31T23:01:00.000Z');
    expect(minutes.every((m) => m.requests === 0 && m.ttft_p50_ms === null && m.queue_waits === 0)).toBe(true);
    expect(minutes[0].errors).toEqual({});
  });

  it('should count requests, statuses, TTFT percentiles, queue waits and errors by kind in their minute', () => {
    const time = clock();
    const history = new MinuteHistory(time.now);
    history.request(200, 100);
    history.request(200, 300);
    history.request(429);
    history.request(502);
    history.queueWait(10);
    history.queueWait(30);
    history.upstreamError('muted');
    history.upstreamError('muted');
    history.upstreamError('rate_limited');
    time.advance(MINUTE);
    history.request(200, 50);

    const minutes = history.minutes();
    const previous = minutes[HISTORY_MINUTES - 2];
    const current = minutes[HISTORY_MINUTES - 1];

    expect(previous).toEqual({
      start: '2026-01-01T00:00:00.000Z',
      requests: 4,
      status_4xx: 1,
      status_5xx: 1,
      ttft_p50_ms: 100,
      ttft_p95_ms: 300,
      queue_waits: 2,
      queue_wait_avg_ms: 20,
      queue_wait_max_ms: 30,
      errors: { muted: 2, rate_limited: 1 },
    });
    expect(current).toMatchObject({ start: '2026-01-01T00:01:00.000Z', requests: 1, ttft_p50_ms: 50, errors: {} });
    expect(history.ttftOverHour()).toEqual({ p50: 100, p95: 300 });
  });

  it('should forget a minute once it is an hour old, and reuse its slot for the new minute', () => {
    const time = clock();
    const history = new MinuteHistory(time.now);
    history.request(200, 1_000);
    history.upstreamError('muted');

    time.advance((HISTORY_MINUTES - 1) * MINUTE);
    expect(history.minutes()[0]).toMatchObject({ requests: 1, errors: { muted: 1 } });

    time.advance(MINUTE);
    history.request(200, 20);
    const minutes = history.minutes();
    expect(minutes.reduce((sum, m) => sum + m.requests, 0)).toBe(1);
    expect(minutes[HISTORY_MINUTES - 1]).toMatchObject({ requests: 1, ttft_p50_ms: 20, errors: {} });
    expect(history.ttftOverHour()).toEqual({ p50: 20, p95: 20 });
  });

  it('should show nothing after a long idle gap (the ring is not read as if no time had passed)', () => {
    const time = clock();
    const history = new MinuteHistory(time.now);
    history.request(200, 5);
    time.advance(3 * HISTORY_MINUTES * MINUTE);

    expect(history.minutes().every((m) => m.requests === 0)).toBe(true);
    expect(history.ttftOverHour()).toEqual({ p50: null, p95: null });
  });

  it('should keep a bounded number of TTFT samples per minute (reservoir), counting every request', () => {
    // random() = 0: each sample past the limit replaces the first one kept.
    const history = new MinuteHistory(clock().now, () => 0);
    for (let i = 0; i < TTFT_SAMPLES_PER_MINUTE; i++) history.request(200, 1_000);
    for (let i = 0; i < TTFT_SAMPLES_PER_MINUTE; i++) history.request(200, 1);

    const current = history.minutes()[HISTORY_MINUTES - 1];
    expect(current.requests).toBe(TTFT_SAMPLES_PER_MINUTE * 2);
    // Unbounded, half the samples would be 1 ms and the median 1; bounded, one slot holds 1 ms.
    expect(current.ttft_p50_ms).toBe(1_000);
    expect(history.ttftOverHour()).toEqual({ p50: 1_000, p95: 1_000 });
  });
});

describe('MetricsService feeds the history from what it observes', () => {
  it('should count API requests with their TTFT, upstream errors of every phase and queue waits; not the operator routes', () => {
    const metrics = new MetricsService();
    metrics.requestFinished({
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      durationMs: 900,
      ttfbMs: 400,
    });
    metrics.requestFinished({ method: 'GET', route: '/v1/models', status: 401, durationMs: 2 });
    for (const route of ['/', '/console/console.js', '/admin/status', '/admin/accounts', '/metrics', '/readyz']) {
      metrics.requestFinished({ method: 'GET', route, status: 200, durationMs: 1 });
    }
    metrics.upstreamError('muted', 'preflight');
    metrics.requestFinished({
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      durationMs: 900,
      upstreamError: 'stream_cut',
    });
    metrics.observeQueueWait(12);

    const current = metrics.history.minutes()[HISTORY_MINUTES - 1];
    expect(current).toMatchObject({
      requests: 3,
      status_4xx: 1,
      ttft_p50_ms: 400,
      queue_waits: 1,
      queue_wait_max_ms: 12,
      errors: { muted: 1, stream_cut: 1 },
    });
  });
});
