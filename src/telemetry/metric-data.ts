/**
 * OpenTelemetry metric data built from plain numbers when metrics are collected (a scrape, an OTLP
 * push) — the one shape admin /metrics (through OpenTelemetry's Prometheus serializer) and OTLP
 * (through a MetricProducer, metrics-producer.ts) are both made from, so the two carry the same
 * names, units and help. Sums and histograms are cumulative since `start`: the request path keeps
 * its own counters in plain numbers (proxy-metrics.ts) and never calls into this.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram as OtelHistogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Histogram } from './histogram.ts';

/** When counting began (the process's start, or the primary's) and when this collection was taken. */
export interface CollectionTimes {
  readonly start: HrTime;
  readonly end: HrTime;
}

/** A metric's identity: its OpenTelemetry name (names.ts), help text and UCUM unit ('' for none). */
export interface MetricSpec {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

/** A value and its attributes (none: the metric's single series). */
export type Point = readonly [value: number, attributes?: Attributes];
export type HistogramPoint = readonly [histogram: Readonly<Histogram>, attributes?: Attributes];

/** The times of collections from something that started counting now (a node, a primary, a fleet follower). */
export function startCollectionClock(): () => CollectionTimes {
  const start = hrTime();
  return () => ({ start, end: hrTime() });
}

/** A monotonic sum (Prometheus: a counter, `_total`). */
export function counter(spec: MetricSpec, times: CollectionTimes, points: Iterable<Point>): MetricData {
  return sum(spec, times, points, true);
}

/** A sum that goes up and down — an OpenTelemetry UpDownCounter, what the semantic conventions use for usage and limits. */
export function upDownCounter(spec: MetricSpec, times: CollectionTimes, points: Iterable<Point>): MetricData {
  return sum(spec, times, points, false);
}

export function gauge(spec: MetricSpec, times: CollectionTimes, points: Iterable<Point>): MetricData {
  return { descriptor: descriptor(spec), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: singular(times, points) };
}

/** Explicit-bucket histograms from histogram.ts's fixed buckets (the last OpenTelemetry bucket is everything above the last bound). */
export function histogram(spec: MetricSpec, times: CollectionTimes, points: Iterable<HistogramPoint>): MetricData {
  const dataPoints: DataPoint<OtelHistogram>[] = [];
  for (const [h, attributes] of points) {
    const counted = h.counts.reduce((total, n) => total + n, 0);
    dataPoints.push({
      startTime: times.start,
      endTime: times.end,
      attributes: attributes ?? {},
      value: { buckets: { boundaries: [...h.bounds], counts: [...h.counts, h.count - counted] }, sum: h.sum, count: h.count },
    });
  }
  return { descriptor: descriptor(spec), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
}

function sum(spec: MetricSpec, times: CollectionTimes, points: Iterable<Point>, isMonotonic: boolean): MetricData {
  return {
    descriptor: descriptor(spec), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic, dataPoints: singular(times, points),
  };
}

function singular(times: CollectionTimes, points: Iterable<Point>): DataPoint<number>[] {
  const out: DataPoint<number>[] = [];
  for (const [value, attributes] of points) out.push({ startTime: times.start, endTime: times.end, attributes: attributes ?? {}, value });
  return out;
}

function descriptor(spec: MetricSpec): MetricData['descriptor'] {
  return { name: spec.name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
}
