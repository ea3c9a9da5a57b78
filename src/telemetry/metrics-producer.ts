/**
 * OTLP push from the same metric data admin /metrics serializes: an OpenTelemetry MetricProducer
 * that a metric reader (the CLI's PeriodicExportingMetricReader) collects from. The node tells it
 * where its metrics come from once it is built (`watch`), as the hook registry tells the hook
 * metrics where circuit states come from; with no metrics exporter nothing ever reads them.
 */
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import { buildInfo } from './build-info.ts';
import { INSTRUMENTATION_SCOPE } from './names.ts';

type MaybePromise<T> = T | Promise<T>;

/** Where a node's metrics go when they are pushed; the node hands over how to read them. */
export interface MetricsExport {
  /** Reads the node's metrics at each collection; the returned function stops that (node shutdown). */
  watch(read: () => MaybePromise<readonly MetricData[]>): () => void;
}

/** No metrics exporter: nothing is read. */
export const METRICS_NOT_EXPORTED: MetricsExport = Object.freeze({ watch: () => () => {} });

export interface NodeMetricsProducer extends MetricProducer, MetricsExport {}

export function createNodeMetricsProducer(): NodeMetricsProducer {
  let read: (() => MaybePromise<readonly MetricData[]>) | null = null;
  return {
    watch(next) {
      read = next;
      return () => {
        if (read === next) read = null;
      };
    },
    async collect(): Promise<CollectionResult> {
      let metrics: readonly MetricData[] = [];
      const errors: unknown[] = [];
      try {
        metrics = read === null ? [] : await read();
      } catch (error) {
        errors.push(error);
      }
      // The reader replaces the resource with the SDK's own (service.name, host, …).
      return { resourceMetrics: { resource: emptyResource(), scopeMetrics: metrics.length === 0 ? [] : [{ scope: metricsScope(), metrics: [...metrics] }] }, errors };
    },
  };
}

/** The instrumentation scope every edgehook metric is reported under. */
export function metricsScope(): { name: string; version: string } {
  return { name: INSTRUMENTATION_SCOPE, version: buildInfo().version };
}
