/**
 * Metrics that proxy-wasm filters define themselves (proxy_define_metric), exported with the
 * node's own: a filter's metric name is free text, so it is a label value (`name`) of three fixed
 * families per kind rather than a metric name of its own; a scrape never breaks on a bad name and
 * the number of series is bounded by the runtime (src/hook-runtime/proxy-wasm/node-state.ts).
 * Read at collection from the runtime's store; plain numbers so a worker can send them over IPC.
 * Beside them, how often a filter was refused by the runtime's bounds (shared data, metrics).
 * A filter histogram keeps only its sum and count, so it is exported as a histogram without bounds.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { counter, gauge, histogram, type CollectionTimes } from './metric-data.ts';
import { LABEL, METRIC } from './names.ts';

export interface FilterMetricSnapshot {
  readonly hook: string;
  readonly name: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  /** Counter or gauge value (histograms: the last value recorded). */
  readonly value: number;
  /** Histograms: values recorded and their sum. */
  readonly count: number;
  readonly sum: number;
}

export interface FilterMetricSource {
  readonly hook: string;
  readonly name: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly value: bigint;
  readonly count: number;
  readonly sum: bigint;
}

/** What the runtime hands over at collection: its filters' metrics and its bound refusals by what. */
export interface FilterMetricsReading {
  readonly metrics: Iterable<FilterMetricSource>;
  readonly refusals: ReadonlyMap<string, number>;
}

export interface FilterMetricsSnapshot {
  readonly metrics: readonly FilterMetricSnapshot[];
  /** Requests a bound refused, by what (`shared-data`, `metrics`). */
  readonly refusals: Readonly<Record<string, number>>;
}

export function snapshotFilterMetrics(reading: FilterMetricsReading): FilterMetricsSnapshot {
  return {
    metrics: [...reading.metrics].map((m) => ({ hook: m.hook, name: m.name, kind: m.kind, value: Number(m.value), count: m.count, sum: Number(m.sum) })),
    refusals: Object.fromEntries(reading.refusals),
  };
}

export function isEmptyFilterSnapshot(snapshot: FilterMetricsSnapshot): boolean {
  return snapshot.metrics.length === 0 && Object.keys(snapshot.refusals).length === 0;
}

/** Adds several processes' snapshots together (counters, histograms and gauges alike: a node's total). */
export function sumFilterMetrics(snapshots: readonly FilterMetricsSnapshot[]): FilterMetricsSnapshot {
  const refusals: Record<string, number> = {};
  for (const snapshot of snapshots) for (const [what, n] of Object.entries(snapshot.refusals)) refusals[what] = (refusals[what] ?? 0) + n;
  const byKey = new Map<string, FilterMetricSnapshot>();
  for (const metric of snapshots.flatMap((snapshot) => snapshot.metrics)) {
    const key = `${metric.hook}\0${metric.name}\0${metric.kind}`;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? metric
      : { ...seen, value: seen.value + metric.value, count: seen.count + metric.count, sum: seen.sum + metric.sum });
  }
  return { metrics: [...byKey.values()], refusals };
}

/** The filters' metrics and the bound refusals, as metric data. */
export function filterMetricData({ metrics, refusals }: FilterMetricsSnapshot, times: CollectionTimes): MetricData[] {
  const labels = (m: FilterMetricSnapshot): Record<string, string> => ({ [LABEL.hook]: m.hook, [LABEL.name]: m.name });
  const of = (kind: FilterMetricSnapshot['kind']): FilterMetricSnapshot[] => metrics.filter((m) => m.kind === kind);
  return [
    counter({ name: METRIC.filterRefusals, description: 'Requests of proxy-wasm filters refused by the node\'s bounds, by what.', unit: '{request}' }, times,
      Object.entries(refusals).map(([what, n]) => [n, { [LABEL.what]: what }] as const)),
    counter({ name: METRIC.filterCounter, description: 'Counters proxy-wasm filters define, by hook and metric name.', unit: '' }, times,
      of('counter').map((m) => [m.value, labels(m)] as const)),
    gauge({ name: METRIC.filterGauge, description: 'Gauges proxy-wasm filters define, by hook and metric name.', unit: '' }, times,
      of('gauge').map((m) => [m.value, labels(m)] as const)),
    histogram({ name: METRIC.filterHistogram, description: 'Histograms proxy-wasm filters define (their sum and count), by hook and metric name.', unit: '' }, times,
      of('histogram').map((m) => [{ bounds: [], counts: [], sum: m.sum, count: m.count }, labels(m)] as const)),
  ];
}
