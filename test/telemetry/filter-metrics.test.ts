/**
 * Metrics proxy-wasm filters define, on the node's /metrics: one family per kind with the filter's
 * metric name as a label (so any name renders; a histogram is its sum and count), and with workers
 * the primary's sum, where a gone worker's counters still count and its gauges do not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import type { EdgehookNode } from '../../src/node.ts';
import { startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { createTracingHarness, type TracingHarness } from './support/in-memory-tracing.ts';
import type { MetricsSnapshot } from '../../src/admin/metrics-snapshot.ts';
import { metricsText } from '../support/metrics-text.ts';
import { mergeMetrics, retire } from '../../src/cluster/merge-metrics.ts';
import type { FilterMetricSnapshot } from '../../src/telemetry/filter-metrics.ts';
import { createProxyMetrics } from '../../src/telemetry/proxy-metrics.ts';

function snapshot(metrics: FilterMetricSnapshot[], refusals: Record<string, number> = {}): MetricsSnapshot {
  return {
    proxy: createProxyMetrics().snapshot(),
    store: { bytes: 0, entries: 0, evictions: 0, maxBytes: 1 },
    hooks: { phases: [], circuits: new Map(), filters: { metrics, refusals } },
  };
}

const counter = (value: number): FilterMetricSnapshot => ({ hook: 'f', name: 'reqs "all"', kind: 'counter', value, count: 0, sum: 0 });
const gauge = (value: number): FilterMetricSnapshot => ({ hook: 'f', name: 'inflight', kind: 'gauge', value, count: 0, sum: 0 });
const histogram = (count: number, sum: number): FilterMetricSnapshot => ({ hook: 'f', name: 'size', kind: 'histogram', value: 0, count, sum });

describe('filter metrics on /metrics', () => {
  it('render with the metric name as an escaped label', () => {
    const text = metricsText(snapshot([counter(3), gauge(2), histogram(4, 40)], { 'shared-data': 2 }));
    expect(text).toContain('edgehook_filter_bound_refusals_total{what="shared-data"} 2');
    expect(text).toContain('# TYPE edgehook_filter_counter_total counter');
    expect(text).toContain('edgehook_filter_counter_total{hook="f",name="reqs \\"all\\""} 3');
    expect(text).toContain('edgehook_filter_gauge{hook="f",name="inflight"} 2');
    expect(text).toContain('edgehook_filter_histogram_sum{hook="f",name="size"} 40');
    expect(text).toContain('edgehook_filter_histogram_count{hook="f",name="size"} 4');
    expect(text).toContain('edgehook_filter_histogram_bucket{hook="f",name="size",le="+Inf"} 4');
  });

  it('are left out when no filter defined any', () => {
    const { hooks: _hooks, ...none } = snapshot([]);
    expect(metricsText(none)).not.toContain('edgehook_filter_');
  });

  it('add up across workers, keeping a gone worker\'s counters but not its gauges', () => {
    const gone = retire(null, snapshot([counter(5), gauge(9), histogram(1, 10)], { metrics: 1 }));
    const merged = mergeMetrics([snapshot([counter(1), gauge(2), histogram(2, 20)], { metrics: 2 }), snapshot([counter(1), gauge(3), histogram(0, 0)])], gone);
    expect(merged.hooks?.filters?.refusals).toEqual({ metrics: 3 });
    const byName = Object.fromEntries((merged.hooks?.filters?.metrics ?? []).map((m) => [m.name, m]));
    expect(byName['reqs "all"']?.value).toBe(7);
    expect(byName['inflight']?.value).toBe(5);
    expect(byName['size']).toMatchObject({ count: 3, sum: 30 });
  });
});

describe('filter metrics through OpenTelemetry', () => {
  let origin: TestOrigin | undefined;
  let node: EdgehookNode | undefined;
  let harness: TracingHarness | undefined;
  afterEach(async () => {
    await node?.close(0);
    await origin?.close();
    await harness?.shutdown();
    node = origin = harness = undefined;
  });

  it('are collected as edgehook.filter.* metrics when an OpenTelemetry reader collects', async () => {
    harness = createTracingHarness();
    origin = await startOrigin((_req, res) => { res.end('ok'); });
    node = await startEdgehook(origin.url, {}, { telemetry: harness.telemetry });
    harness.telemetry.hooks.watchFilterMetrics(() => ({
      metrics: [
        { hook: 'f', name: 'reqs', kind: 'counter', value: 3n, count: 0, sum: 0n },
        { hook: 'f', name: 'size', kind: 'histogram', value: 5n, count: 2, sum: 12n },
      ],
      refusals: new Map([['shared-data', 4]]),
    }));
    const { resourceMetrics } = await harness.metricReader.collect();
    const metrics = new Map<string, MetricData>(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((m) => [m.descriptor.name, m]));
    const value = (name: string): unknown => (metrics.get(name)?.dataPoints as DataPoint<unknown>[] | undefined)?.[0]?.value;
    expect(value('edgehook.filter.counter')).toBe(3);
    expect(value('edgehook.filter.histogram')).toMatchObject({ sum: 12, count: 2 } satisfies Partial<Histogram>);
    expect(value('edgehook.filter.bound_refusals')).toBe(4);
    expect((metrics.get('edgehook.filter.counter')?.dataPoints[0])?.attributes).toEqual({ hook: 'f', name: 'reqs' });
  });
});
