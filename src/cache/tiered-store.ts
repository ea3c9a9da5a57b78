/**
 * Memory in front of disk. Reads try memory, then disk; a disk hit is promoted into memory so
 * the next hit is a memory hit. Writes, deletes, purges and metadata updates go to both tiers.
 *
 * An object usually sits in both tiers, so removal counts are not added up: the larger of the
 * two is reported (the object count a purge removed from the node, for the common case where
 * disk holds a superset of memory).
 */
import type { CachedObject, CachedObjectMeta, CacheStore, CacheStoreStats } from './types.ts';

export type TierName = 'memory' | 'disk';

export interface TierStats {
  readonly tier: TierName;
  readonly stats: CacheStoreStats;
}

export interface TieredStore extends CacheStore {
  /** Memory tier's stats: the tier every hit is served from. */
  stats(): CacheStoreStats;
  /** Both tiers, memory first. */
  tiers(): readonly TierStats[];
}

/** Whether `store` is a tiered store (the admin's metrics then report each tier). */
export function isTieredStore(store: CacheStore): store is TieredStore {
  return typeof (store as Partial<TieredStore>).tiers === 'function';
}

export function createTieredStore(memory: CacheStore, disk: CacheStore): TieredStore {
  let diskReads = 0;
  function get(key: string): readonly CachedObject[] | undefined {
    const hot = memory.get(key);
    if (hot !== undefined) return hot;
    diskReads += 1;
    const cold = disk.get(key);
    if (cold !== undefined) promote(cold);
    return cold;
  }

  /** Oldest first, so memory ends up with the same "most recently stored first" order. */
  function promote(objects: readonly CachedObject[]): void {
    for (let i = objects.length - 1; i >= 0; i--) memory.put(objects[i]!);
  }

  return {
    get,
    put(object) {
      memory.put(object);
      disk.put(object);
    },
    updateMeta(meta: CachedObjectMeta) {
      const inMemory = memory.updateMeta(meta);
      const onDisk = disk.updateMeta(meta);
      return inMemory || onDisk;
    },
    delete: (key) => Math.max(memory.delete(key), disk.delete(key)),
    purgeUrl: (url) => Math.max(memory.purgeUrl(url), disk.purgeUrl(url)),
    purgeUrlPrefix: (prefix) => Math.max(memory.purgeUrlPrefix(prefix), disk.purgeUrlPrefix(prefix)),
    purgeTag: (tag) => Math.max(memory.purgeTag(tag), disk.purgeTag(tag)),
    stats: () => memory.stats(),
    diskReads: () => diskReads,
    tiers: () => [{ tier: 'memory', stats: memory.stats() }, { tier: 'disk', stats: disk.stats() }],
    async close() {
      await Promise.all([memory.close(), disk.close()]);
    },
  };
}
