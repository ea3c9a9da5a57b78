/**
 * The admin API of a single-process node: health from its own readiness, metrics from its own
 * counters and store, purges applied to its store, its hook registry. A worker of a multi-process
 * node uses the same pieces (applyPurge, reloadAnswer) to answer its primary.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { CacheStore } from '../cache/types.ts';
import type { ReloadResult } from '../hook-runtime/hook-registry.ts';
import type { AdminAnswer, AdminBackend, PurgeTarget } from './admin-server.ts';

/** The node's hook registry as the admin API sees it. */
export interface NodeAdminHooks {
  list(): unknown;
  reload(): Promise<ReloadResult>;
}

export interface LocalBackendDeps {
  readonly store: CacheStore;
  /** The node's metric data now (telemetry/node-metrics.ts over its snapshot). */
  readonly metrics: () => readonly MetricData[];
  readonly hooks: NodeAdminHooks | null;
  /** False once shutdown begins, so load balancers stop sending traffic. */
  readonly isReady: () => boolean;
}

export function createLocalBackend(deps: LocalBackendDeps): AdminBackend {
  const { hooks } = deps;
  return {
    health: () => (deps.isReady() ? { ready: true, body: { status: 'ok' } } : { ready: false, body: { status: 'draining' } }),
    metrics: deps.metrics,
    purge: (target) => ({ status: 200, body: { purged: applyPurge(deps.store, target) } }),
    hooks: hooks === null ? null : { list: () => hooks.list(), reload: async () => reloadAnswer(await hooks.reload()) },
  };
}

/** Removes what `target` names from `store`; how many objects went. */
export function applyPurge(store: CacheStore, target: PurgeTarget): number {
  switch (target.kind) {
    case 'url': return store.purgeUrl(target.value);
    case 'prefix': return store.purgeUrlPrefix(target.value);
    case 'tag': return store.purgeTag(target.value);
  }
}

/** A hook reload's answer: the result as the body, with the status reloadStatus gives it. */
export function reloadAnswer(result: ReloadResult): AdminAnswer {
  return { status: reloadStatus(result), body: result };
}

/**
 * A refused reload is an error, so deploy scripts notice: 422 when a module or the hooks list does
 * not load or validate (retrying cannot help; the body names the hook), 500 when the node could
 * not take a valid plan. The previous hooks keep serving either way.
 */
export function reloadStatus(result: ReloadResult): number {
  if (result.ok) return 200;
  return result.refusedBy === 'node' ? 500 : 422;
}
