import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/cache/memory-store.ts';
import { createTieredStore } from '../../../src/cache/tiered-store.ts';
import { makeObject } from './make-object.ts';

// Two memory stores stand in for memory and disk: the tiering rules do not depend on LMDB
// (test/integration/disk-store.test.ts runs them over a real disk store).
function tiers(memoryEntries = 100) {
  const memory = createMemoryStore({ maxBytes: 10_000_000, maxEntries: memoryEntries });
  const disk = createMemoryStore({ maxBytes: 10_000_000, maxEntries: 1000 });
  return { memory, disk, store: createTieredStore(memory, disk) };
}

describe('createTieredStore', () => {
  it('writes to both tiers and serves from memory first', () => {
    const { memory, disk, store } = tiers();
    const object = makeObject({ key: 'k' });
    store.put(object);
    expect(memory.get('k')).toEqual([object]);
    expect(disk.get('k')).toEqual([object]);
    expect(store.get('k')).toBe(memory.get('k'));
  });

  it('promotes a disk hit into memory, keeping variant order', () => {
    const { memory, store } = tiers(2);
    store.put(makeObject({ key: 'k', variantKey: 'a' }));
    store.put(makeObject({ key: 'k', variantKey: 'b' }));
    store.put(makeObject({ key: 'x' }));
    store.put(makeObject({ key: 'y' }));
    expect(memory.get('k')).toBeUndefined();
    expect(store.get('k')?.map((o) => o.meta.variantKey)).toEqual(['b', 'a']);
    expect(memory.get('k')?.map((o) => o.meta.variantKey)).toEqual(['b', 'a']);
  });

  it('deletes, purges and updates metadata in both tiers, counting each object once', () => {
    const { memory, disk, store } = tiers();
    store.put(makeObject({ key: 'a', tags: ['t'], url: 'https://example.com/a' }));
    store.put(makeObject({ key: 'b', tags: ['t'], url: 'https://example.com/b' }));
    store.put(makeObject({ key: 'c', url: 'https://example.com/c' }));
    const meta = { ...makeObject({ key: 'c', url: 'https://example.com/c' }).meta, status: 203 };
    expect(store.updateMeta(meta)).toBe(true);
    expect(disk.get('c')?.[0]?.meta.status).toBe(203);
    expect(store.purgeTag('t')).toBe(2);
    expect(store.purgeUrlPrefix('https://example.com/')).toBe(1);
    expect(memory.stats().entries + disk.stats().entries).toBe(0);
    expect(store.updateMeta(meta)).toBe(false);
  });

  it('reports memory stats, and both tiers through tiers()', () => {
    const { store } = tiers();
    store.put(makeObject({ key: 'k' }));
    expect(store.stats().entries).toBe(1);
    expect(store.tiers().map((t) => [t.tier, t.stats.entries])).toEqual([['memory', 1], ['disk', 1]]);
  });
});
