/**
 * Everything a node's metrics say, taken at one moment from one node: proxy counters, the store's
 * (and each tier's) stats, hook call metrics, the process, the origin connections. Plain data
 * (Maps and arrays), so a worker can hand it to its primary over IPC and the primary can add
 * several together (src/cluster/merge-metrics.ts); node-metrics.ts turns it into metric data.
 */
import { isTieredStore, type TierStats } from '../cache/tiered-store.ts';
import type { CacheStore, CacheStoreStats } from '../cache/types.ts';
import type { OriginClient, UpstreamConnections } from '../origin/origin-client.ts';
import type { HookMetrics, HookMetricsSnapshot } from '../telemetry/hook-metrics.ts';
import type { ProxyMetrics, ProxyMetricsSnapshot } from '../telemetry/proxy-metrics.ts';
import type { ProcessMetrics, ProcessSnapshot } from '../telemetry/process-metrics.ts';

export interface MetricsSnapshot {
  readonly proxy: ProxyMetricsSnapshot;
  readonly store: CacheStoreStats;
  /** Each tier of a tiered store (memory, disk); `store` is the memory tier's. */
  readonly tiers?: readonly TierStats[];
  readonly hooks?: HookMetricsSnapshot;
  /** The process's CPU, memory, loop delay and load (absent from snapshots older than issue 13). */
  readonly process?: ProcessSnapshot;
  /** Connections to the origin and the parents, per server (absent from snapshots older than issue 13). */
  readonly upstream?: readonly UpstreamConnections[];
}

/** Where a node's snapshot is read from; absent parts are left out of it. */
export interface MetricsSources {
  readonly store: CacheStore;
  readonly proxy: ProxyMetrics;
  readonly hooks?: HookMetrics;
  readonly process?: ProcessMetrics;
  readonly upstream?: Pick<OriginClient, 'connections'>;
}

export function takeMetricsSnapshot({ store, proxy, hooks, process, upstream }: MetricsSources): MetricsSnapshot {
  return {
    ...(process === undefined ? {} : { process: process.snapshot() }),
    proxy: proxy.snapshot(),
    store: store.stats(),
    ...(isTieredStore(store) ? { tiers: store.tiers() } : {}),
    ...(hooks === undefined ? {} : { hooks: hooks.snapshot() }),
    ...(upstream === undefined ? {} : { upstream: upstream.connections() }),
  };
}
