/**
 * Everything /metrics renders, taken at one moment from one node: proxy counters, the store's
 * (and each tier's) stats, hook call metrics. Plain data (Maps and arrays), so a worker can hand
 * it to its primary over IPC and the primary can add several together (src/cluster/merge-metrics.ts).
 */
import { isTieredStore, type TierStats } from '../cache/tiered-store.ts';
import type { CacheStore, CacheStoreStats } from '../cache/types.ts';
import type { HookMetrics, HookMetricsSnapshot } from '../telemetry/hook-metrics.ts';
import type { ProxyMetrics, ProxyMetricsSnapshot } from '../telemetry/proxy-metrics.ts';

export interface MetricsSnapshot {
  readonly proxy: ProxyMetricsSnapshot;
  readonly store: CacheStoreStats;
  /** Each tier of a tiered store (memory, disk); `store` is the memory tier's. */
  readonly tiers?: readonly TierStats[];
  readonly hooks?: HookMetricsSnapshot;
}

export function takeMetricsSnapshot(store: CacheStore, metrics: ProxyMetrics, hookMetrics: HookMetrics | undefined): MetricsSnapshot {
  return {
    proxy: metrics.snapshot(),
    store: store.stats(),
    ...(isTieredStore(store) ? { tiers: store.tiers() } : {}),
    ...(hookMetrics === undefined ? {} : { hooks: hookMetrics.snapshot() }),
  };
}
