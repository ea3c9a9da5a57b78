/**
 * The node's /metrics from its workers' snapshots (src/cluster/merge-metrics.ts): counters summed
 * and kept across a worker's replacement, memory gauges summed, the shared disk tier counted once,
 * circuit states counted per worker.
 */
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../src/admin/metrics-snapshot.ts';
import { mergeMetrics, retire } from '../../../src/cluster/merge-metrics.ts';
import type { CircuitStateName } from '../../../src/telemetry/hook-metrics.ts';
import { createHistogram, HOOK_BUCKETS, observe } from '../../../src/telemetry/histogram.ts';
import { createProxyMetrics } from '../../../src/telemetry/proxy-metrics.ts';
import { metricsText } from '../../support/metrics-text.ts';

interface WorkerNumbers {
  readonly hits: number;
  readonly misses: number;
  readonly memoryBytes: number;
  readonly memoryEvictions: number;
  readonly disk: { readonly bytes: number; readonly evictions: number; readonly maxBytes: number; readonly corrupt: number };
  readonly hookCalls: number;
  readonly circuit: CircuitStateName;
}

function snapshotOf(n: WorkerNumbers): MetricsSnapshot {
  const proxy = createProxyMetrics();
  for (let i = 0; i < n.hits; i++) proxy.countResponse('hit', 200, 1000);
  for (let i = 0; i < n.misses; i++) {
    proxy.countResponse('miss', 200, 1000);
    proxy.observeOriginLatency(0.02);
  }
  const memory = { bytes: n.memoryBytes, entries: n.memoryBytes / 1000, evictions: n.memoryEvictions, maxBytes: 1_000_000, maxEntries: 100 };
  const duration = createHistogram(HOOK_BUCKETS);
  for (let i = 0; i < n.hookCalls; i++) observe(duration, 0.0002);
  return {
    proxy: proxy.snapshot(),
    store: memory,
    tiers: [
      { tier: 'memory', stats: memory },
      { tier: 'disk', stats: { bytes: n.disk.bytes, entries: 7, evictions: n.disk.evictions, maxBytes: n.disk.maxBytes, corrupt: n.disk.corrupt, refused: 0, dropped: 0, writeFailures: 0, skipped: 0 } },
    ],
    hooks: {
      phases: [{ hook: 'auth', phase: 'on-request', calls: n.hookCalls, errors: new Map([['EH_HOOK_TIMEOUT', 1]]), duration }],
      circuits: new Map([['auth', n.circuit]]),
    },
    upstream: [{ address: '127.0.0.1', port: 8080, active: 1, idle: n.hookCalls / 20 }],
  };
}

const one: WorkerNumbers = {
  hits: 30, misses: 10, memoryBytes: 5000, memoryEvictions: 2,
  disk: { bytes: 70_000, evictions: 4, maxBytes: 1_000_000, corrupt: 1 }, hookCalls: 40, circuit: 'closed',
};
const two: WorkerNumbers = {
  hits: 50, misses: 10, memoryBytes: 3000, memoryEvictions: 1,
  // The same shared store, read a moment later; this worker lowered its bound after a full disk.
  disk: { bytes: 71_000, evictions: 5, maxBytes: 900_000, corrupt: 0 }, hookCalls: 60, circuit: 'open',
};

describe('mergeMetrics', () => {
  const merged = mergeMetrics([snapshotOf(one), snapshotOf(two)], null);
  const text = metricsText(merged);

  it('sums counters and histograms and recomputes the hit ratio', () => {
    expect(text).toContain('edgehook_responses_total{cache="hit",status_class="2xx"} 80');
    expect(text).toContain('edgehook_responses_total{cache="miss",status_class="2xx"} 20');
    expect(text).toContain('http_client_request_duration_count 20');
    expect(text).toContain('edgehook_cache_hit_ratio 0.8');
    expect(text).toContain('edgehook_hook_calls_total{hook="auth",phase="on-request"} 100');
    expect(text).toContain('edgehook_hook_errors_total{hook="auth",phase="on-request",code="EH_HOOK_TIMEOUT"} 2');
  });

  it('sums the memory tiers, takes the shared disk tier once and sums its per-process faults', () => {
    expect(merged.tiers).toEqual([
      { tier: 'memory', stats: { bytes: 8000, entries: 8, evictions: 3, maxBytes: 2_000_000, maxEntries: 200 } },
      { tier: 'disk', stats: { bytes: 70_000, entries: 7, evictions: 5, maxBytes: 900_000, corrupt: 1, refused: 0, dropped: 0, writeFailures: 0, skipped: 0 } },
    ]);
  });

  it('sums each worker\'s origin connections per server', () => {
    expect(text).toContain('http_client_open_connections{http_connection_state="active",server_address="127.0.0.1",server_port="8080"} 2');
    expect(text).toContain('http_client_open_connections{http_connection_state="idle",server_address="127.0.0.1",server_port="8080"} 5');
    expect(text).toContain('edgehook_cache_max_entries{tier="memory"} 200');
  });

  it('counts the workers in each circuit state', () => {
    expect(text).toContain('edgehook_hook_circuit_state{hook="auth",state="closed"} 1');
    expect(text).toContain('edgehook_hook_circuit_state{hook="auth",state="open"} 1');
    expect(text).toContain('edgehook_hook_circuit_state{hook="auth",state="half-open"} 0');
  });

  it('keeps the counters of a worker that has gone, but not its gauges', () => {
    const retired = retire(null, snapshotOf(two));
    const after = mergeMetrics([snapshotOf({ ...one, hits: 0, misses: 0, hookCalls: 0 })], retired);
    const rendered = metricsText(after);
    expect(rendered).toContain('edgehook_responses_total{cache="hit",status_class="2xx"} 50');
    expect(rendered).toContain('edgehook_hook_calls_total{hook="auth",phase="on-request"} 60');
    expect(after.tiers?.[0]?.stats).toMatchObject({ bytes: 5000, evictions: 3, maxBytes: 1_000_000, maxEntries: 100 });
    // A gone worker's connections closed with it.
    expect(after.upstream).toEqual([{ address: '127.0.0.1', port: 8080, active: 1, idle: 0 }]);
    // Disk numbers are the store's, not the gone worker's: they come from the live one alone.
    expect(after.tiers?.[1]?.stats).toMatchObject({ bytes: 70_000, evictions: 4, maxBytes: 1_000_000, corrupt: 1 });
    // And a second retirement adds to the first.
    expect(metricsText(mergeMetrics([], retire(retired, snapshotOf(two))))).toContain('edgehook_responses_total{cache="hit",status_class="2xx"} 100');
  });
});
