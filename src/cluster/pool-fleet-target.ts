/**
 * What fleet entries act on in a node with workers: every worker, through the primary, by the
 * same calls the admin API makes — a purge reaches each worker's memory tier (and, once, the
 * shared disk tier), a deploy reloads each worker's hooks with the new list, and workers started
 * afterwards (a crash's replacement) start with it.
 */
import type { HookConfig } from '../config/types.ts';
import type { FleetTarget } from '../fleet/fleet-follower.ts';
import type { WorkerPool } from './worker-pool.ts';

export function createPoolFleetTarget(pool: WorkerPool, baseHooks: () => readonly HookConfig[]): FleetTarget {
  const purge: FleetTarget['purge'] = async (target) => {
    const { answered, failed } = await pool.broadcast({ name: 'purge', target });
    // Thrown, the follower retries the entry: a worker that missed a purge must not serve the object.
    if (failed.length > 0) throw new Error(`workers ${failed.join(', ')} did not apply the purge`);
    return Math.max(0, ...answered.map(({ value }) => value));
  };
  return {
    purge,
    dropAll: async () => (await purge({ kind: 'prefix', value: 'http://' })) + (await purge({ kind: 'prefix', value: 'https://' })),
    baseHooks,
    async loadHooks(hooks) {
      const { answered, failed } = await pool.broadcast({ name: 'hooks-reload', hooks });
      const refused = answered.find(({ value }) => value === null || !value.ok);
      if (refused !== undefined) {
        return { ok: false, error: refused.value === null ? 'this node has no hooks configured' : `worker ${refused.worker.id}: ${refused.value.error ?? 'refused'}` };
      }
      if (failed.length > 0) return { ok: false, error: `workers ${failed.join(', ')} did not answer` };
      pool.setHooks(hooks);
      return { ok: true };
    },
  };
}
