import { describe, expect, it } from 'vitest';
import { LatencyStats } from '../../../src/hook-runtime/latency-stats.ts';

describe('LatencyStats', () => {
  it('reports percentiles to 0.1 µs, not the timer\'s float noise (issue 13: /hooks showed 1816.1089999994147)', () => {
    const stats = new LatencyStats();
    stats.record(1816.1089999994147, false);
    stats.record(2.049999999, true);
    expect(stats.percentile(50)).toBe(1816.1);
    expect(stats.percentile(0)).toBe(2);
    expect([stats.calls, stats.errors]).toEqual([2, 1]);
  });

  it('is 0 before the first call', () => {
    expect(new LatencyStats().percentile(99)).toBe(0);
  });
});
