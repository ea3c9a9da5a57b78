/**
 * Builds the node's cache store from config: memory alone, or memory in front of disk.
 */
import type { Logger } from '../log.ts';
import { createDiskStore } from './disk-store.ts';
import { createMemoryStore } from './memory-store.ts';
import { createTieredStore } from './tiered-store.ts';
import type { CacheStore } from './types.ts';

export interface CacheStoreConfig {
  readonly memory: { readonly maxBytes: number; readonly maxEntries: number };
  readonly disk?: { readonly path: string; readonly maxBytes: number; readonly writeRetryMs?: number };
}

export function createCacheStore(config: CacheStoreConfig, logger: Logger): CacheStore {
  const memory = createMemoryStore(config.memory);
  if (config.disk === undefined) return memory;
  const disk = createDiskStore({ ...config.disk, logger: logger.child({ component: 'disk-cache' }) });
  return createTieredStore(memory, disk);
}
