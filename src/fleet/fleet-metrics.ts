/**
 * The fleet's lines in /metrics, from its follower's status: whether Redis is reachable, the time
 * of the last entry applied (alert when it lags the stream), entries applied by kind, deploys
 * refused, gaps (cache dropped), and per hook the deploy in force and whether it was applied.
 */
import { PROM } from '../telemetry/names.ts';
import { idTime } from './fleet-entry.ts';
import type { FleetStatus } from './fleet-follower.ts';

export function renderFleetMetrics(status: FleetStatus): string {
  const lines = [
    `# HELP ${PROM.fleetConnected} 1 while this node's connection to the fleet's Redis is up.`,
    `# TYPE ${PROM.fleetConnected} gauge`,
    `${PROM.fleetConnected} ${status.connected ? 1 : 0}`,
    `# HELP ${PROM.fleetLastApplied} When the last fleet entry this node applied was published (its stream id's time).`,
    `# TYPE ${PROM.fleetLastApplied} gauge`,
    `${PROM.fleetLastApplied} ${status.lastApplied === null ? 0 : idTime(status.lastApplied) / 1000}`,
    `# HELP ${PROM.fleetApplied} Fleet entries applied, by op (skipped: entries this version cannot read).`,
    `# TYPE ${PROM.fleetApplied} counter`,
    ...Object.entries(status.applied).map(([op, n]) => `${PROM.fleetApplied}{op="${op}"} ${n}`),
    `# HELP ${PROM.fleetDeploysRefused} Fleet deploys and rollbacks this node refused (the previous version kept serving).`,
    `# TYPE ${PROM.fleetDeploysRefused} counter`,
    `${PROM.fleetDeploysRefused} ${status.deploysRefused}`,
    `# HELP ${PROM.fleetGaps} Times entries were trimmed before this node read them, so it dropped its cache.`,
    `# TYPE ${PROM.fleetGaps} counter`,
    `${PROM.fleetGaps} ${status.gaps}`,
    `# HELP ${PROM.fleetDeploy} The last fleet deploy or rollback of each hook: 1 applied, 0 refused.`,
    `# TYPE ${PROM.fleetDeploy} gauge`,
    ...Object.entries(status.deploys).map(([hook, d]) => `${PROM.fleetDeploy}{hook="${hook}",id="${d.id}",op="${d.op}",sha256="${d.sha256 ?? 'config'}"} ${d.ok ? 1 : 0}`),
  ];
  return lines.join('\n') + '\n';
}
