/**
 * The disk store's contract over a real LMDB store: reads before and after commit, restarts,
 * bounds and eviction, purges, metadata updates, the tiered store on top, and a model check of
 * random operations. Faults have their own files: disk-corruption.test.ts, disk-full.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_LOG_CODES } from '../../src/cache/cache-log-codes.ts';
import { createCacheStore } from '../../src/cache/create-store.ts';
import { ENTRY_DB_NAMES } from '../../src/cache/disk-db.ts';
import { createDiskStore, type DiskStore } from '../../src/cache/disk-store.ts';
import { createMemoryStore } from '../../src/cache/memory-store.ts';
import { createTieredStore } from '../../src/cache/tiered-store.ts';
import type { CachedObject } from '../../src/cache/types.ts';
import { captureLogger } from '../support/captured-logger.ts';
import { auditDisk } from '../support/disk-audit.ts';
import { useDiskStores } from '../support/disk-stores.ts';
import { withRawDb } from '../support/raw-disk.ts';
import { makeObject } from '../unit/cache/make-object.ts';

const stores = useDiskStores();
const openStore = stores.open;
const reopen = stores.reopen;

describe('createDiskStore', () => {
  it('finds an object at once (before commit) and after commit', async () => {
    const store = openStore();
    const object = makeObject({ key: 'k', body: 'hello disk' });
    store.put(object);
    expect(store.get('k')).toEqual([object]);
    await store.flush();
    const [hit] = store.get('k') ?? [];
    expect(hit?.body.toString()).toBe('hello disk');
    expect(hit?.meta).toEqual(object.meta);
    expect(store.stats()).toMatchObject({ entries: 1, pendingWrites: 0 });
  });

  it('survives close and reopen, with the same byte total recounted at open', async () => {
    let store = openStore();
    const object = makeObject({ key: 'k', body: 5000, tags: ['t'] });
    store.put(object);
    store.put(makeObject({ key: 'k', variantKey: 'br', body: 'other' }));
    await store.flush();
    const before = store.stats();
    store = await reopen(store);
    expect(store.stats()).toMatchObject({ bytes: before.bytes, entries: 2 });
    const variants = store.get('k');
    expect(variants?.map((o) => o.meta.variantKey)).toEqual(['br', '']);
    expect(variants?.[1]?.body.equals(object.body)).toBe(true);
    expect(variants?.[1]?.meta).toEqual(object.meta);
  });

  it('replaces a variant and accounts it once', async () => {
    const store = openStore();
    store.put(makeObject({ key: 'k', body: 100 }));
    await store.flush();
    const oneSmall = store.stats().bytes;
    store.put(makeObject({ key: 'k', body: 300 }));
    await store.flush();
    expect(store.stats()).toMatchObject({ entries: 1, bytes: oneSmall + 200 });
    expect(store.get('k')?.[0]?.body.length).toBe(300);
  });

  it('stays within maxBytes by evicting the oldest entries', async () => {
    let store = openStore();
    store.put(makeObject({ key: 'probe', body: 10_000 }));
    await store.flush();
    const one = store.stats().bytes;
    store = await reopen(store, { maxBytes: one * 3 + 100 });
    expect(store.delete('probe')).toBe(1);
    for (const key of ['a', 'b', 'c', 'd', 'e']) store.put(makeObject({ key, body: 10_000 }));
    await store.flush();
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats).toMatchObject({ entries: 3, evictions: 2 });
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBeUndefined();
    expect(store.get('e')).toBeDefined();
  });

  it('evicts down to a lowered maxBytes at open', async () => {
    let store = openStore();
    for (const key of ['a', 'b', 'c']) store.put(makeObject({ key, body: 10_000 }));
    await store.flush();
    const total = store.stats().bytes;
    store = await reopen(store, { maxBytes: Math.floor(total / 2) });
    await store.flush();
    expect(store.stats().bytes).toBeLessThanOrEqual(total / 2);
    expect(store.get('c')).toBeDefined();
  });

  it('keeps an old entry that is read (approximate LRU) and evicts the unread ones', async () => {
    // Same-length keys, so every entry accounts the same bytes.
    const key = (i: number): string => `k${String(i).padStart(3, '0')}`;
    let store = openStore();
    store.put(makeObject({ key: key(999), body: 1000 }));
    await store.flush();
    const one = store.stats().bytes;
    store = await reopen(store, { maxBytes: one * 100 });
    store.delete(key(999));
    for (let i = 0; i < 100; i++) store.put(makeObject({ key: key(i), body: 1000 }));
    await store.flush();
    // The oldest entry has drifted into the older half of the order, so this read re-stamps it.
    expect(store.get(key(0))).toBeDefined();
    await store.flush();
    for (let i = 100; i < 110; i++) store.put(makeObject({ key: key(i), body: 1000 }));
    await store.flush();
    expect(store.stats()).toMatchObject({ entries: 100, evictions: 10 });
    expect(store.get(key(0))).toBeDefined();
    expect(store.get(key(1))).toBeUndefined();
    expect(store.get(key(10))).toBeUndefined();
    expect(store.get(key(11))).toBeDefined();
  });

  it('returns a large body in its own buffer, copied once out of the map', async () => {
    const store = openStore();
    store.put(makeObject({ key: 'k', body: 100_000 }));
    await store.flush();
    const body = store.get('k')?.[0]?.body;
    expect(body?.byteLength).toBe(100_000);
    expect(body?.buffer.byteLength).toBe(100_000);
  });

  it('drops a put when the write backlog is full, and says so', async () => {
    const { logger, lines } = captureLogger();
    const store = openStore({ logger, maxPendingBytes: 1500 });
    store.put(makeObject({ key: 'a', body: 1000 }));
    store.put(makeObject({ key: 'b', body: 1000 }));
    expect(store.get('b')).toBeUndefined();
    expect(store.stats().dropped).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ code: CACHE_LOG_CODES.backlog }));
    await store.flush();
    store.put(makeObject({ key: 'b', body: 1000 }));
    expect(store.get('b')).toHaveLength(1);
  });

  it('refuses an object larger than maxBytes and drops the copy it would replace', async () => {
    const store = openStore({ maxBytes: 5000 });
    store.put(makeObject({ key: 'k', body: 100 }));
    await store.flush();
    store.put(makeObject({ key: 'k', body: 6000 }));
    expect(store.get('k')).toBeUndefined();
    await store.flush();
    expect(store.stats()).toMatchObject({ refused: 1, entries: 0, bytes: 0 });
  });

  it('fails at startup with a precise message when the path cannot hold a store', () => {
    const file = path.join(stores.dir(), 'not-a-directory');
    fs.writeFileSync(file, 'x');
    expect(() => createDiskStore({ path: path.join(file, 'cache'), maxBytes: 1000, logger: captureLogger().logger }))
      .toThrow(/cache\.disk\.path: cannot open the disk cache/);
  });

  it('handles cache keys, URLs and tags longer than the LMDB key limit', async () => {
    let store = openStore();
    const long = 'x'.repeat(5000);
    const url = `https://example.com/${long}`;
    store.put(makeObject({ key: `k-${long}`, url, tags: [`tag-${long}`] }));
    await store.flush();
    store = await reopen(store);
    expect(store.get(`k-${long}`)?.[0]?.meta.url).toBe(url);
    expect(store.purgeUrl(`${url}-other`)).toBe(0);
    expect(store.purgeTag(`tag-${long}`)).toBe(1);
    expect(store.get(`k-${long}`)).toBeUndefined();
  });
});

describe('disk store purges and metadata updates', () => {
  async function populated(): Promise<DiskStore> {
    const store = openStore();
    store.put(makeObject({ key: 'a', variantKey: 'gzip', url: 'https://example.com/img/a.png', tags: ['img', 'p1'] }));
    store.put(makeObject({ key: 'a', variantKey: 'br', url: 'https://example.com/img/a.png', tags: ['img'] }));
    store.put(makeObject({ key: 'b', url: 'https://example.com/img/b.png', tags: ['img'] }));
    store.put(makeObject({ key: 'c', url: 'https://example.com/css/c.css', tags: ['css'] }));
    await store.flush();
    return reopen(store);
  }

  it('purges by exact URL over what is on disk', async () => {
    const store = await populated();
    expect(store.purgeUrl('https://example.com/img/a.png')).toBe(2);
    expect(store.get('a')).toBeUndefined();
    await store.flush();
    expect(store.stats().entries).toBe(2);
  });

  it('purges by URL prefix over what is on disk', async () => {
    const store = await populated();
    expect(store.purgeUrlPrefix('https://example.com/img/')).toBe(3);
    expect(store.purgeUrlPrefix('https://example.com/img/')).toBe(0);
    expect(store.get('c')).toBeDefined();
  });

  it('purges by tag over what is on disk', async () => {
    const store = await populated();
    expect(store.purgeTag('p1')).toBe(1);
    expect(store.get('a')?.map((o) => o.meta.variantKey)).toEqual(['br']);
    expect(store.purgeTag('img')).toBe(2);
    await store.flush();
    expect(store.stats().entries).toBe(1);
  });

  it('purges writes that have not committed yet, and they stay purged', async () => {
    const store = openStore();
    store.put(makeObject({ key: 'k', tags: ['t'] }));
    expect(store.purgeTag('t')).toBe(1);
    expect(store.get('k')).toBeUndefined();
    await store.flush();
    expect(store.get('k')).toBeUndefined();
    expect(store.stats().entries).toBe(0);
  });

  it('updates the metadata of a write that has not committed yet', async () => {
    let store = openStore();
    const object = makeObject({ key: 'k', tags: ['old'] });
    store.put(object);
    expect(store.updateMeta({ ...object.meta, status: 203, tags: ['new'] })).toBe(true);
    expect(store.get('k')?.[0]?.meta.status).toBe(203);
    await store.flush();
    store = await reopen(store);
    expect(store.get('k')?.[0]?.meta.status).toBe(203);
    expect(store.purgeTag('old')).toBe(0);
    expect(store.purgeTag('new')).toBe(1);
  });

  it('deletes every variant of a key', async () => {
    const store = await populated();
    expect(store.delete('a')).toBe(2);
    expect(store.delete('a')).toBe(0);
    expect(store.get('a')).toBeUndefined();
  });

  it('leaves no records behind once everything is gone', async () => {
    const store = await populated();
    store.delete('a');
    store.purgeUrlPrefix('https://');
    await store.flush();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0 });
    await withRawDb(stores.dir(), (root) => {
      for (const name of ENTRY_DB_NAMES) {
        expect([name, root.openDB(name, { keyEncoding: 'binary' }).getCount()]).toEqual([name, 0]);
      }
    });
  });

  it('updates metadata without rewriting the body, visibly at once and after reopen', async () => {
    let store = await populated();
    const before = store.get('b')?.[0];
    if (before === undefined) throw new Error('b not stored');
    const meta = { ...before.meta, responseTime: 99, tags: ['fresh'] };
    expect(store.updateMeta(meta)).toBe(true);
    expect(store.get('b')?.[0]?.meta.responseTime).toBe(99);
    await store.flush();
    store = await reopen(store);
    expect(store.get('b')?.[0]?.meta.responseTime).toBe(99);
    expect(store.get('b')?.[0]?.body.equals(before.body)).toBe(true);
    expect(store.purgeTag('img')).toBe(2);
    expect(store.purgeTag('fresh')).toBe(1);
    expect(store.updateMeta(meta)).toBe(false);
  });
});

describe('tiered store over a real disk store', () => {
  it('promotes a disk hit into memory after memory evicted it', async () => {
    const memory = createMemoryStore({ maxBytes: 10_000_000, maxEntries: 1 });
    const disk = openStore();
    const store = createTieredStore(memory, disk);
    store.put(makeObject({ key: 'a', body: 'from disk' }));
    store.put(makeObject({ key: 'b' }));
    await disk.flush();
    expect(memory.get('a')).toBeUndefined();
    expect(store.get('a')?.[0]?.body.toString()).toBe('from disk');
    expect(memory.get('a')?.[0]?.body.toString()).toBe('from disk');
    expect(store.tiers().map((t) => [t.tier, t.stats.entries])).toEqual([['memory', 1], ['disk', 2]]);
  });

  it('is what createCacheStore builds when a disk is configured', async () => {
    const store = createCacheStore({ memory: { maxBytes: 1_000_000, maxEntries: 10 }, disk: { path: stores.dir(), maxBytes: 1_000_000 } }, captureLogger().logger);
    try {
      store.put(makeObject({ key: 'k' }));
      expect('tiers' in store).toBe(true);
      expect(store.get('k')).toHaveLength(1);
    } finally {
      await store.close();
    }
    const memoryOnly = createCacheStore({ memory: { maxBytes: 1_000_000, maxEntries: 10 } }, captureLogger().logger);
    expect('tiers' in memoryOnly).toBe(false);
  });
});

/**
 * Random operations against the disk store and a plain in-memory model, committing and
 * reopening at random points: whatever mix of pending and committed state the store is in,
 * its answers must equal the model's. Fixed seeds, so a failure replays.
 */
const KEYS = ['a', 'b', 'c', 'd'];
const VARIANTS = ['', 'gzip', 'br'];
const TAGS = ['t1', 't2', 't3'];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

type Model = Map<string, CachedObject[]>;

function modelRemove(model: Model, matches: (o: CachedObject) => boolean): number {
  let removed = 0;
  for (const [key, objects] of model) {
    const kept = objects.filter((o) => !matches(o));
    removed += objects.length - kept.length;
    if (kept.length === 0) model.delete(key);
    else model.set(key, kept);
  }
  return removed;
}

function summary(objects: readonly CachedObject[] | undefined): string[] {
  return (objects ?? []).map((o) => `${o.meta.variantKey}:${o.meta.status}:${o.meta.tags.join('+')}:${o.body.toString()}`);
}

describe('disk store against a model', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('agrees with the model (seed %i)', async (seed) => {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const model: Model = new Map();
    let store = openStore({ maxBytes: 100_000_000 });
    for (let step = 0; step < 400; step++) {
      const roll = next();
      const key = pick(KEYS);
      if (roll < 0.35) {
        const object = makeObject({ key, variantKey: pick(VARIANTS), tags: [pick(TAGS)], body: `s${step}`, url: `https://x/${key}` });
        store.put(object);
        const others = (model.get(key) ?? []).filter((o) => o.meta.variantKey !== object.meta.variantKey);
        model.set(key, [object, ...others]);
      } else if (roll < 0.45) {
        const variantKey = pick(VARIANTS);
        const current = model.get(key)?.find((o) => o.meta.variantKey === variantKey);
        const meta = { ...(current?.meta ?? makeObject({ key, variantKey }).meta), status: 200 + step, tags: [pick(TAGS)] };
        expect(store.updateMeta(meta), `updateMeta step ${step}`).toBe(current !== undefined);
        if (current !== undefined) model.set(key, model.get(key)!.map((o) => (o === current ? { meta, body: o.body } : o)));
      } else if (roll < 0.5) {
        expect(store.delete(key), `delete step ${step}`).toBe(modelRemove(model, (o) => o.meta.key === key));
      } else if (roll < 0.55) {
        const tag = pick(TAGS);
        expect(store.purgeTag(tag), `purgeTag step ${step}`).toBe(modelRemove(model, (o) => o.meta.tags.includes(tag)));
      } else if (roll < 0.58) {
        expect(store.purgeUrl(`https://x/${key}`), `purgeUrl step ${step}`).toBe(modelRemove(model, (o) => o.meta.url === `https://x/${key}`));
      } else if (roll < 0.6) {
        expect(store.purgeUrlPrefix('https://x/'), `purgeUrlPrefix step ${step}`).toBe(modelRemove(model, () => true));
      } else if (roll < 0.7) {
        await store.flush();
      } else if (roll < 0.73) {
        store = await reopen(store, { maxBytes: 100_000_000 });
      } else if (roll < 0.76) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const k of KEYS) expect(summary(store.get(k)), `get ${k} after step ${step}`).toEqual(summary(model.get(k)));
    }
    await store.flush();
    const entries = [...model.values()].reduce((n, objects) => n + objects.length, 0);
    expect(store.stats()).toMatchObject({ entries, corrupt: 0, pendingWrites: 0 });
    // The running totals equal a recount of the files, and the tag index holds exactly the model's tags.
    const audit = await auditDisk(stores.dir());
    expect(audit.problems).toEqual([]);
    expect({ entries: audit.entries, bytes: audit.bytes, dangling: audit.danglingIndexKeys }).toEqual({ entries, bytes: store.stats().bytes, dangling: 0 });
    for (const tag of TAGS) {
      const tagged = [...model.values()].flat().filter((o) => o.meta.tags.includes(tag)).length;
      expect([tag, audit.tagged.get(tag)?.length ?? 0]).toEqual([tag, tagged]);
    }
  });
});
