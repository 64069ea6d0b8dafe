/** Small statistics helpers shared by the load generator and the report. */

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    count: sorted.length,
    min: sorted.length > 0 ? sorted[0] : NaN,
    mean: sorted.length > 0 ? sum / sorted.length : NaN,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/** Least-squares fit y = intercept + slope · x; slope 0 when x does not vary. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return { intercept: NaN, slope: NaN };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/**
 * Theil–Sen fit y = intercept + slope · x: the median of pairwise slopes, then the median residual. Robust
 * to the outliers a shared machine produces (a solve preempted by another process).
 */
export function robustLinearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const n = Math.min(xs.length, ys.length);
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  }
  if (slopes.length === 0) return linearFit(xs, ys);
  const slope = summarize(slopes).p50;
  const intercept = summarize(xs.slice(0, n).map((x, i) => ys[i] - slope * x)).p50;
  return { intercept, slope };
}

/** A growable Float64Array, for up to millions of samples without boxing. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export const round = (value: number, digits = 1): number =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;
