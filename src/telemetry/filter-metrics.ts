/**
 * Metrics that proxy-wasm filters define themselves (proxy_define_metric), exported with the
 * node's own: a filter's metric name is free text, so it is a label value (`name`) of three fixed
 * families per kind rather than a metric name of its own; a scrape never breaks on a bad name and
 * the number of series is bounded by the runtime (src/hook-runtime/proxy-wasm/node-state.ts).
 * Read at collection from the runtime's store; plain numbers so a worker can send them over IPC.
 * Beside them, how often a filter was refused by the runtime's bounds (shared data, metrics).
 */
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { LABEL, METRIC, PROM } from './names.ts';

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

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderFilterMetrics(lines: string[], { metrics, refusals }: FilterMetricsSnapshot): void {
  lines.push(`# HELP ${PROM.filterRefusals} Requests of proxy-wasm filters refused by the node's bounds, by what.`, `# TYPE ${PROM.filterRefusals} counter`);
  for (const [what, n] of Object.entries(refusals)) lines.push(`${PROM.filterRefusals}{what="${escape(what)}"} ${n}`);
  if (metrics.length === 0) return;
  const labels = (m: FilterMetricSnapshot): string => `{hook="${escape(m.hook)}",name="${escape(m.name)}"}`;
  const of = (kind: FilterMetricSnapshot['kind']): FilterMetricSnapshot[] => metrics.filter((m) => m.kind === kind);
  lines.push(`# HELP ${PROM.filterCounter} Counters proxy-wasm filters define, by hook and metric name.`, `# TYPE ${PROM.filterCounter} counter`);
  for (const m of of('counter')) lines.push(`${PROM.filterCounter}${labels(m)} ${m.value}`);
  lines.push(`# HELP ${PROM.filterGauge} Gauges proxy-wasm filters define, by hook and metric name.`, `# TYPE ${PROM.filterGauge} gauge`);
  for (const m of of('gauge')) lines.push(`${PROM.filterGauge}${labels(m)} ${m.value}`);
  lines.push(`# HELP ${PROM.filterHistogram} Histograms proxy-wasm filters define (sum and count), by hook and metric name.`,
    `# TYPE ${PROM.filterHistogram} summary`);
  for (const m of of('histogram')) lines.push(`${PROM.filterHistogram}_sum${labels(m)} ${m.sum}`, `${PROM.filterHistogram}_count${labels(m)} ${m.count}`);
}

/** The OpenTelemetry side: observable instruments read in the node's batch callback. */
export interface FilterInstruments {
  readonly counter: Observable;
  readonly gauge: Observable;
  readonly histogramSum: Observable;
  readonly histogramCount: Observable;
  readonly refusals: Observable;
}

export function createFilterInstruments(meter: Meter): FilterInstruments {
  return {
    counter: meter.createObservableCounter(METRIC.filterCounter, { description: 'Counters proxy-wasm filters define.' }),
    gauge: meter.createObservableGauge(METRIC.filterGauge, { description: 'Gauges proxy-wasm filters define.' }),
    histogramSum: meter.createObservableCounter(METRIC.filterHistogramSum, { description: 'Sum of the values proxy-wasm filter histograms recorded.' }),
    histogramCount: meter.createObservableCounter(METRIC.filterHistogramCount, { description: 'Values proxy-wasm filter histograms recorded.' }),
    refusals: meter.createObservableCounter(METRIC.filterRefusals, { description: 'Requests of proxy-wasm filters refused by the node\'s bounds, by what.' }),
  };
}

export function observeFilterMetrics(result: BatchObservableResult, i: FilterInstruments, { metrics, refusals }: FilterMetricsSnapshot): void {
  for (const [what, n] of Object.entries(refusals)) result.observe(i.refusals, n, { [LABEL.what]: what });
  for (const m of metrics) {
    const labels = { [LABEL.hook]: m.hook, [LABEL.name]: m.name };
    if (m.kind === 'counter') result.observe(i.counter, m.value, labels);
    else if (m.kind === 'gauge') result.observe(i.gauge, m.value, labels);
    else {
      result.observe(i.histogramSum, m.sum, labels);
      result.observe(i.histogramCount, m.count, labels);
    }
  }
}
