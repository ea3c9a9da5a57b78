/**
 * The fleet's metrics, from its follower's status: whether Redis is reachable, the time of the
 * last entry applied (alert when it lags the stream), entries applied by kind, deploys refused,
 * gaps (cache dropped), and per hook the deploy in force and whether it was applied.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { counter, gauge, type CollectionTimes } from '../telemetry/metric-data.ts';
import { LABEL, METRIC } from '../telemetry/names.ts';
import { idTime } from './fleet-entry.ts';
import type { FleetStatus } from './fleet-follower.ts';

export function fleetMetricData(status: FleetStatus, times: CollectionTimes): MetricData[] {
  return [
    gauge({ name: METRIC.fleetConnected, description: '1 while this node\'s connection to the fleet\'s Redis is up.', unit: '' }, times, [[status.connected ? 1 : 0]]),
    gauge({ name: METRIC.fleetLastApplied, description: 'When the last fleet entry this node applied was published (its stream id\'s time, Unix seconds).', unit: 's' }, times,
      [[status.lastApplied === null ? 0 : idTime(status.lastApplied) / 1000]]),
    counter({ name: METRIC.fleetApplied, description: 'Fleet entries applied, by op (skipped: entries this version cannot read).', unit: '{entry}' }, times,
      Object.entries(status.applied).map(([op, n]) => [n, { [LABEL.op]: op }] as const)),
    counter({ name: METRIC.fleetDeploysRefused, description: 'Fleet deploys and rollbacks this node refused (the previous version kept serving).', unit: '{deploy}' }, times,
      [[status.deploysRefused]]),
    counter({ name: METRIC.fleetGaps, description: 'Times entries were trimmed before this node read them, so it dropped its cache.', unit: '{gap}' }, times, [[status.gaps]]),
    gauge({ name: METRIC.fleetDeploy, description: 'The last fleet deploy or rollback of each hook: 1 applied, 0 refused.', unit: '' }, times,
      Object.entries(status.deploys).map(([hook, d]) => [d.ok ? 1 : 0, { [LABEL.hook]: hook, [LABEL.id]: d.id, [LABEL.op]: d.op, [LABEL.sha256]: d.sha256 ?? 'config' }] as const)),
  ];
}
