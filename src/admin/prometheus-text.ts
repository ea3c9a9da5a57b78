/**
 * Admin /metrics: the node's metric data (node-metrics.ts, plus the primary's worker gauges and
 * the fleet's) in the Prometheus text format, written by OpenTelemetry's own Prometheus serializer —
 * the same names OTLP carries, mapped as OpenTelemetry maps them (dots to underscores, `_total` on
 * counters; the unit in a `# UNIT` comment). Without scope labels and target_info: the series
 * carry edgehook's attributes only, and the scrape target's labels come from Prometheus.
 * Rendered on scrape only, never on the request path.
 */
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { emptyResource } from '@opentelemetry/resources';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { metricsScope } from '../telemetry/metrics-producer.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function prometheusText(metrics: readonly MetricData[]): string {
  // A serializer per scrape: it keeps state between calls only to word its conflict warnings.
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return serializer.serialize({ resource: emptyResource(), scopeMetrics: [{ scope: metricsScope(), metrics: [...metrics] }] });
}
