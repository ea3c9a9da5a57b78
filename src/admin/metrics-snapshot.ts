/**
 * Everything /metrics renders, taken at one moment from one node: proxy counters, the store's
 * (and each tier's) stats, hook call metrics. Plain data (Maps and arrays), so a worker can hand
 * it to its primary over IPC and the primary can add several together (src/cluster/merge-metrics.ts).
 */
import { isTieredStore, type TierStats } from '../cache/tiered-store.ts';
import type { CacheStore, CacheStoreStats } from '../cache/types.ts';
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
}

export function takeMetricsSnapshot(
  store: CacheStore, metrics: ProxyMetrics, hookMetrics: HookMetrics | undefined, processMetrics?: ProcessMetrics,
): MetricsSnapshot {
  return {
    ...(processMetrics === undefined ? {} : { process: processMetrics.snapshot() }),
    proxy: metrics.snapshot(),
    store: store.stats(),
    ...(isTieredStore(store) ? { tiers: store.tiers() } : {}),
    ...(hookMetrics === undefined ? {} : { hooks: hookMetrics.snapshot() }),
  };
}
