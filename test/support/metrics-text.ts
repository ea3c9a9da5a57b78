/** The /metrics text of a snapshot (or a primary's merge), as the admin API serializes it. */
import { prometheusText } from '../../src/admin/prometheus-text.ts';
import { startCollectionClock } from '../../src/telemetry/metric-data.ts';
import { nodeMetricData, type NodeMetricsInput } from '../../src/telemetry/node-metrics.ts';

export function metricsText(input: NodeMetricsInput): string {
  return prometheusText(nodeMetricData(input, startCollectionClock()()));
}
