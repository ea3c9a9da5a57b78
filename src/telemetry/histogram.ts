/**
 * A fixed-bucket histogram in plain numbers: observing is a short loop over the bounds and three
 * additions, with nothing allocated — cheap enough for every request. Rendered cumulatively
 * (Prometheus `le` buckets) on scrape only.
 */
export interface Histogram {
  /** Upper bounds, ascending; a value above the last one counts only in +Inf (count). */
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Origin latency buckets in seconds (Prometheus convention). */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Client request buckets in seconds (duration and time to first byte): a cache hit is answered
 * in tens of microseconds, a miss in the origin's time, a large body in seconds.
 */
export const REQUEST_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Hook call buckets in seconds: hooks run in tens of microseconds to tens of milliseconds. */
export const HOOK_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** Image transform buckets in seconds. */
export const TRANSFORM_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createHistogram(bounds: readonly number[]): Histogram {
  return { bounds, counts: bounds.map(() => 0), sum: 0, count: 0 };
}

export function observe(histogram: Histogram, value: number): void {
  histogram.sum += value;
  histogram.count++;
  const { bounds, counts } = histogram;
  for (let i = 0; i < bounds.length; i++) {
    if (value <= bounds[i]!) {
      counts[i]!++;
      return;
    }
  }
}

export function copyHistogram(histogram: Readonly<Histogram>): Histogram {
  return { bounds: histogram.bounds, counts: [...histogram.counts], sum: histogram.sum, count: histogram.count };
}
