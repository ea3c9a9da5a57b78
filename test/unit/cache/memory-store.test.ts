import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { createMemoryStore } from '../../../src/cache/memory-store.ts';
import { estimateObjectSize } from '../../../src/cache/object-size.ts';
import type { CachedObject } from '../../../src/cache/types.ts';
import { makeObject } from './make-object.ts';

const ROOMY = { maxBytes: 10_000_000, maxEntries: 1000 };

function keysOf(objects: readonly CachedObject[] | undefined): string[] {
  return (objects ?? []).map((o) => `${o.meta.key}#${o.meta.variantKey}`);
}

describe('createMemoryStore', () => {
  it('returns undefined for an unknown key and the stored object for a known one', () => {
    const store = createMemoryStore(ROOMY);
    const object = makeObject({ key: 'k1' });
    expect(store.get('k1')).toBeUndefined();
    store.put(object);
    expect(store.get('k1')).toEqual([object]);
    expect(store.stats()).toMatchObject({ entries: 1, bytes: estimateObjectSize(object), evictions: 0 });
  });

  it('serves repeated hits from the same frozen array (no allocation on the hit path)', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k1' }));
    const first = store.get('k1');
    expect(Object.isFrozen(first)).toBe(true);
    expect(store.get('k1')).toBe(first);
  });

  it('keeps variants apart, most recently stored first, and replaces a variant in place of the old', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k', variantKey: 'gzip', body: 'g1' }));
    store.put(makeObject({ key: 'k', variantKey: 'br', body: 'b1' }));
    expect(keysOf(store.get('k'))).toEqual(['k#br', 'k#gzip']);
    store.put(makeObject({ key: 'k', variantKey: 'gzip', body: 'g2' }));
    const variants = store.get('k');
    expect(keysOf(variants)).toEqual(['k#gzip', 'k#br']);
    expect(variants?.[0]?.body.toString()).toBe('g2');
    expect(store.stats().entries).toBe(2);
  });

  it('accounts replaced objects once in bytes', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k', body: 100 }));
    const replacement = makeObject({ key: 'k', body: 300 });
    store.put(replacement);
    expect(store.stats().bytes).toBe(estimateObjectSize(replacement));
  });

  it('evicts the least recently used key when over maxEntries, and a get refreshes recency', () => {
    const evicted: string[] = [];
    const store = createMemoryStore({ maxBytes: 10_000_000, maxEntries: 3, onEvict: (o) => evicted.push(o.meta.key) });
    for (const key of ['a', 'b', 'c']) store.put(makeObject({ key }));
    store.get('a');
    store.put(makeObject({ key: 'd' }));
    expect(evicted).toEqual(['b']);
    expect(store.get('b')).toBeUndefined();
    expect(keysOf(['a', 'c', 'd'].flatMap((k) => store.get(k) ?? []))).toEqual(['a#', 'c#', 'd#']);
    expect(store.stats()).toMatchObject({ entries: 3, evictions: 1 });
  });

  it('evicts by bytes, counting metadata as well as bodies', () => {
    const one = estimateObjectSize(makeObject({ key: 'a', body: 1000 }));
    const store = createMemoryStore({ maxBytes: one * 2 + 10, maxEntries: 1000 });
    for (const key of ['a', 'b', 'c']) store.put(makeObject({ key, body: 1000 }));
    expect(store.get('a')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 2, evictions: 1, bytes: one * 2 });
    expect(one).toBeGreaterThan(1000);
  });

  it('evicts the oldest stored variant of the least recently used key first', () => {
    const store = createMemoryStore({ maxBytes: 10_000_000, maxEntries: 2 });
    store.put(makeObject({ key: 'k', variantKey: 'old' }));
    store.put(makeObject({ key: 'k', variantKey: 'new' }));
    store.put(makeObject({ key: 'other' }));
    expect(keysOf(store.get('k'))).toEqual(['k#new']);
  });

  it('refuses an object larger than maxBytes, and drops the variant it would have replaced', () => {
    const store = createMemoryStore({ maxBytes: 2000, maxEntries: 10 });
    store.put(makeObject({ key: 'k', body: 10 }));
    store.put(makeObject({ key: 'k', body: 5000 }));
    expect(store.get('k')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, refused: 1, evictions: 0 });
  });

  it('updates metadata in place, keeping the body, and reindexes tags', () => {
    const store = createMemoryStore(ROOMY);
    const original = makeObject({ key: 'k', tags: ['old'], body: 'body' });
    store.put(original);
    const updated = { ...original.meta, tags: ['new'], responseTime: 42 };
    expect(store.updateMeta(updated)).toBe(true);
    const [hit] = store.get('k') ?? [];
    expect(hit?.meta.responseTime).toBe(42);
    expect(hit?.body).toBe(original.body);
    expect(store.purgeTag('old')).toBe(0);
    expect(store.purgeTag('new')).toBe(1);
    expect(store.updateMeta(updated)).toBe(false);
  });

  it('drops an object whose updated metadata no longer fits, and reports it gone', () => {
    const store = createMemoryStore({ maxBytes: 2000, maxEntries: 10 });
    const object = makeObject({ key: 'k', body: 10 });
    store.put(object);
    expect(store.updateMeta({ ...object.meta, tags: ['x'.repeat(3000)] })).toBe(false);
    expect(store.get('k')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, refused: 1 });
  });

  it('deletes every variant of a key', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k', variantKey: 'a' }));
    store.put(makeObject({ key: 'k', variantKey: 'b' }));
    store.put(makeObject({ key: 'other' }));
    expect(store.delete('k')).toBe(2);
    expect(store.delete('k')).toBe(0);
    expect(store.get('k')).toBeUndefined();
    expect(store.stats().entries).toBe(1);
  });

  it('purges by exact URL across variants and keys', () => {
    const store = createMemoryStore(ROOMY);
    const url = 'https://example.com/page';
    store.put(makeObject({ key: 'k1', variantKey: 'a', url }));
    store.put(makeObject({ key: 'k1', variantKey: 'b', url }));
    store.put(makeObject({ key: 'k2', url }));
    store.put(makeObject({ key: 'k3', url: `${url}?x=1` }));
    expect(store.purgeUrl(url)).toBe(3);
    expect(store.get('k1')).toBeUndefined();
    expect(store.get('k3')).toBeDefined();
  });

  it('purges by URL prefix', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'a', url: 'https://example.com/img/a.png' }));
    store.put(makeObject({ key: 'b', url: 'https://example.com/img/b.png' }));
    store.put(makeObject({ key: 'c', url: 'https://example.com/css/c.css' }));
    expect(store.purgeUrlPrefix('https://example.com/img/')).toBe(2);
    expect(keysOf([...(store.get('a') ?? []), ...(store.get('c') ?? [])])).toEqual(['c#']);
  });

  it('purges by tag, and an evicted object no longer counts', () => {
    const store = createMemoryStore({ maxBytes: 10_000_000, maxEntries: 2 });
    store.put(makeObject({ key: 'a', tags: ['product-1', 'all'] }));
    store.put(makeObject({ key: 'b', tags: ['all'] }));
    store.put(makeObject({ key: 'c', tags: ['all'] }));
    expect(store.purgeTag('product-1')).toBe(0);
    expect(store.purgeTag('all')).toBe(2);
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('keeps indexes consistent through replace: the old URL and tags stop matching', () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k', url: 'https://example.com/old', tags: ['t1'] }));
    store.put(makeObject({ key: 'k', url: 'https://example.com/new', tags: ['t2'] }));
    expect(store.purgeUrl('https://example.com/old')).toBe(0);
    expect(store.purgeTag('t1')).toBe(0);
    expect(store.purgeTag('t2')).toBe(1);
  });

  it('rejects bounds that are not positive integers', () => {
    expect(() => createMemoryStore({ maxBytes: 0, maxEntries: 1 })).toThrow(ConfigError);
    expect(() => createMemoryStore({ maxBytes: 100, maxEntries: 1.5 })).toThrow(/cache.memory.max_entries/);
  });

  it('empties on close', async () => {
    const store = createMemoryStore(ROOMY);
    store.put(makeObject({ key: 'k' }));
    await store.close();
    expect(store.get('k')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
