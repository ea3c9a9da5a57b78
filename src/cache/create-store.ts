/**
 * Builds the node's cache store from config: memory alone, or memory in front of disk. A worker
 * of a multi-process node also gets the fill leases of the disk tier it shares with the others.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { createDiskStore } from './disk-store.ts';
import type { FillLeases } from './fill-lease.ts';
import { createMemoryStore } from './memory-store.ts';
import { createTieredStore } from './tiered-store.ts';
import type { CacheStore } from './types.ts';

export interface CacheStoreConfig {
  readonly memory: { readonly maxBytes: number; readonly maxEntries: number };
  readonly disk?: { readonly path: string; readonly maxBytes: number; readonly writeRetryMs?: number };
}

export interface NodeCache {
  readonly store: CacheStore;
  /** Leases for collapsing fills across workers; null without a disk tier or when not asked for. */
  readonly fillLeases: FillLeases | null;
}

export function createCacheStore(config: CacheStoreConfig, logger: Logger): CacheStore {
  return createNodeCache(config, logger).store;
}

/** `leasesClock`: set when other processes share the disk tier (the node's workers). */
export function createNodeCache(config: CacheStoreConfig, logger: Logger, leasesClock?: Pick<Clock, 'now'>): NodeCache {
  const memory = createMemoryStore(config.memory);
  if (config.disk === undefined) return { store: memory, fillLeases: null };
  const disk = createDiskStore({ ...config.disk, logger: logger.child({ component: 'disk-cache' }) });
  return { store: createTieredStore(memory, disk), fillLeases: leasesClock === undefined ? null : disk.fillLeases(leasesClock) };
}
