/**
 * The in-memory cache tier: LRU bounded by bytes and by object count.
 *
 * Recency is kept per primary key (a "group" of Vary variants), because `get` returns every
 * variant of a key and cannot know which one the caller will use. Eviction takes the oldest
 * stored variant of the least recently used group, so the byte and count bounds still hold
 * per object. Each group keeps a frozen array of its objects, rebuilt only when the group is
 * written; a hit is one Map lookup and four pointer moves, and allocates nothing.
 */
import { LruList, type LruLinks } from './lru-list.ts';
import { estimateObjectSize } from './object-size.ts';
import { assertPositiveInteger } from './store-limits.ts';
import { SetIndex } from './tag-index.ts';
import type { CachedObject, CachedObjectMeta, CacheStore, CacheStoreStats } from './types.ts';

export interface MemoryStoreOptions {
  /** Bound on body bytes plus estimated metadata bytes. */
  readonly maxBytes: number;
  /** Bound on stored objects (variants count one each). */
  readonly maxEntries: number;
  /** Told about each object dropped to stay within a bound (not about deletes and purges). */
  readonly onEvict?: (object: CachedObject) => void;
}

export interface MemoryStoreStats extends CacheStoreStats {
  readonly maxEntries: number;
  /** Puts refused because one object was larger than maxBytes. */
  readonly refused: number;
}

export interface MemoryStore extends CacheStore {
  stats(): MemoryStoreStats;
}

interface Slot {
  object: CachedObject;
  size: number;
  readonly group: Group;
}

interface Group extends LruLinks<Group> {
  readonly key: string;
  /** Most recently stored first. */
  readonly slots: Slot[];
  view: readonly CachedObject[];
}

export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  assertPositiveInteger(options.maxBytes, 'cache.memory.max_bytes');
  assertPositiveInteger(options.maxEntries, 'cache.memory.max_entries');
  const { maxBytes, maxEntries, onEvict } = options;
  const groups = new Map<string, Group>();
  const recency = new LruList<Group>();
  const byUrl = new SetIndex<Slot>();
  const byTag = new SetIndex<Slot>();
  let bytes = 0;
  let entries = 0;
  let evictions = 0;
  let refused = 0;

  function index(slot: Slot): void {
    const meta = slot.object.meta;
    byUrl.add(meta.url, slot);
    for (const tag of meta.tags) byTag.add(tag, slot);
    bytes += slot.size;
  }

  function unindex(slot: Slot): void {
    const meta = slot.object.meta;
    byUrl.remove(meta.url, slot);
    for (const tag of meta.tags) byTag.remove(tag, slot);
    bytes -= slot.size;
  }

  function removeSlot(slot: Slot): void {
    unindex(slot);
    entries -= 1;
    const group = slot.group;
    group.slots.splice(group.slots.indexOf(slot), 1);
    if (group.slots.length > 0) {
      refreshView(group);
      return;
    }
    groups.delete(group.key);
    recency.remove(group);
  }

  function removeAll(slots: readonly Slot[]): number {
    for (const slot of slots) removeSlot(slot);
    return slots.length;
  }

  function evictToBounds(): void {
    while (bytes > maxBytes || entries > maxEntries) {
      const group = recency.oldest();
      const slot = group?.slots.at(-1);
      if (slot === undefined) return;
      removeSlot(slot);
      evictions += 1;
      onEvict?.(slot.object);
    }
  }

  function groupFor(key: string): Group {
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, slots: [], view: [], newer: null, older: null };
      groups.set(key, group);
      recency.pushNewest(group);
    }
    return group;
  }

  function put(object: CachedObject): void {
    const { key, variantKey } = object.meta;
    const existing = findSlot(groups.get(key), variantKey);
    // A refused replacement still drops the old variant: the origin has superseded it.
    if (existing !== undefined) removeSlot(existing);
    const size = estimateObjectSize(object);
    if (size > maxBytes) {
      refused += 1;
      return;
    }
    const group = groupFor(key);
    const slot: Slot = { object, size, group };
    group.slots.unshift(slot);
    index(slot);
    entries += 1;
    refreshView(group);
    recency.moveToNewest(group);
    evictToBounds();
  }

  function updateMeta(meta: CachedObjectMeta): boolean {
    const slot = findSlot(groups.get(meta.key), meta.variantKey);
    if (slot === undefined) return false;
    const object = { meta, body: slot.object.body };
    const size = estimateObjectSize(object);
    if (size > maxBytes) {
      removeSlot(slot);
      refused += 1;
      return false;
    }
    unindex(slot);
    slot.object = object;
    slot.size = size;
    index(slot);
    refreshView(slot.group);
    recency.moveToNewest(slot.group);
    evictToBounds();
    return true;
  }

  return {
    get(key) {
      const group = groups.get(key);
      if (group === undefined) return undefined;
      recency.moveToNewest(group);
      return group.view;
    },
    put,
    updateMeta,
    delete(key) {
      const group = groups.get(key);
      return group === undefined ? 0 : removeAll([...group.slots]);
    },
    purgeUrl: (url) => removeAll(byUrl.members(url)),
    // Cost: a scan of every distinct URL held in memory (startsWith on each), then O(matches).
    purgeUrlPrefix: (prefix) => removeAll(byUrl.membersWithPrefix(prefix)),
    purgeTag: (tag) => removeAll(byTag.members(tag)),
    stats: () => ({ bytes, entries, evictions, maxBytes, maxEntries, refused }),
    async close() {
      groups.clear();
      recency.clear();
      byUrl.clear();
      byTag.clear();
      bytes = 0;
      entries = 0;
    },
  };
}

function findSlot(group: Group | undefined, variantKey: string): Slot | undefined {
  if (group === undefined) return undefined;
  for (const slot of group.slots) if (slot.object.meta.variantKey === variantKey) return slot;
  return undefined;
}

function refreshView(group: Group): void {
  group.view = Object.freeze(group.slots.map((slot) => slot.object));
}
