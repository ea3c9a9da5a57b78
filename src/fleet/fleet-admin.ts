/**
 * The admin API of a node in a fleet: the node's own backend (single process or primary), with
 *  - POST /purge published on the stream instead of applied here alone: every node, this one
 *    included, applies it in stream order. The answer comes once this node has applied it
 *    (`purged` here, the entry `id`), or after fleet.apply_wait with `purged: null` (published,
 *    not yet applied here: Redis answered but this node's reader lags). Redis unreachable: 503 at
 *    once, nothing published; Redis not answering within 5 s: 503 too, though the entry may
 *    have gone out — a purge is idempotent, so the answer to a 503 is always to retry.
 *  - GET /hooks with a `fleet` section: last applied entry, connection, each hook's last deploy;
 *  - /metrics (and OTLP) with the fleet's metrics.
 */
import type { AdminBackend, PurgeTarget } from '../admin/admin-server.ts';
import { startCollectionClock } from '../telemetry/metric-data.ts';
import type { FleetFollower } from './fleet-follower.ts';
import { fleetMetricData } from './fleet-metrics.ts';

export function withFleet(backend: AdminBackend, fleet: FleetFollower): AdminBackend {
  const collected = startCollectionClock();
  return {
    health: () => backend.health(),
    metrics: async () => [...await backend.metrics(), ...fleetMetricData(fleet.status(), collected())],
    purge: (target) => publishPurge(fleet, target),
    get hooks() {
      return backend.hooks;
    },
    ...(backend.reload === undefined ? {} : { reload: () => backend.reload!() }),
    fleet: () => fleet.status(),
  };
}

async function publishPurge(fleet: FleetFollower, target: PurgeTarget): Promise<{ status: number; body: unknown }> {
  try {
    const { id, purged } = await fleet.publishPurge(target);
    return { status: 200, body: { published: id, purged, applied: purged !== null } };
  } catch (error) {
    return { status: 503, body: { error: `fleet: the purge was not published: ${(error as Error).message}` } };
  }
}
