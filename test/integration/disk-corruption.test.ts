/**
 * Damaged entries in a real disk store: bytes flipped in a record or a body, records shorter
 * than their header says, headers whose sizes cannot be true, metadata that does not parse or
 * lacks what serving needs, and index entries pointing at a record that is gone. Each must be
 * dropped (so the next request refetches it), never served, logged once with a code — and the
 * running totals and the indexes must still agree with what is on disk.
 */
import { describe, expect, it } from 'vitest';
import { CACHE_LOG_CODES } from '../../src/cache/cache-log-codes.ts';
import { DB_NAMES, ENTRY_DB_NAMES } from '../../src/cache/disk-db.ts';
import { entryId } from '../../src/cache/disk-keys.ts';
import { buildRecord, readHeader, RECORD_HEADER_BYTES, type RecordHeader } from '../../src/cache/disk-record.ts';
import type { DiskStore } from '../../src/cache/disk-store.ts';
import { captureLogger, type CapturedLogger } from '../support/captured-logger.ts';
import { auditDisk } from '../support/disk-audit.ts';
import { useDiskStores } from '../support/disk-stores.ts';
import { flipByte, rawCounts, rawHas, removeRaw, rewriteRaw, withRawDb } from '../support/raw-disk.ts';
import { makeObject } from '../unit/cache/make-object.ts';

const stores = useDiskStores();

interface Stored { readonly store: DiskStore; readonly lines: CapturedLogger['lines']; readonly id: string }

/** 'k' (the one the test damages) and 'other', committed and reopened, so reads come from disk. */
async function storedObjects(): Promise<Stored> {
  const { logger, lines } = captureLogger();
  let store = stores.open({ logger });
  store.put(makeObject({ key: 'k', body: 2000, tags: ['t', 'shared'] }));
  store.put(makeObject({ key: 'other', body: 3000, tags: ['shared'] }));
  await store.flush();
  store = await stores.reopen(store, { logger });
  return { store, lines, id: entryId('k', '') };
}

/** Totals equal a recount of the files, and every invariant between the databases holds. */
async function expectSound(store: DiskStore): Promise<void> {
  await store.flush();
  const audit = await auditDisk(stores.dir());
  expect(audit.problems).toEqual([]);
  expect({ entries: store.stats().entries, bytes: store.stats().bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
}

function corruptLines(lines: CapturedLogger['lines']): Array<Record<string, unknown>> {
  return lines.filter((line) => line.code === CACHE_LOG_CODES.corrupt);
}

/** Rewrites the metadata record of `id` with a valid checksum around `edit(metadata JSON)`. */
function resealMeta(id: string, edit: (json: string, header: RecordHeader) => { json: string; header?: RecordHeader }): Promise<void> {
  return rewriteRaw(stores.dir(), DB_NAMES.meta, id, (record) => {
    const head = readHeader(record);
    if (!head.ok) throw new Error('the record did not verify before the edit');
    const edited = edit(record.subarray(RECORD_HEADER_BYTES).toString('utf8'), head.header);
    return buildRecord(Buffer.from(edited.json, 'utf8'), edited.header ?? head.header);
  });
}

describe('disk store corruption', () => {
  it('drops an entry whose body no longer matches its checksum, and never serves it', async () => {
    const { store, lines, id } = await storedObjects();
    await flipByte(stores.dir(), DB_NAMES.body, id, 1000);
    expect(store.get('k')).toBeUndefined();
    expect(store.stats().corrupt).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ code: CACHE_LOG_CODES.corrupt, id, fault: 'body-checksum' }));
    await store.flush();
    expect(await rawHas(stores.dir(), DB_NAMES.meta, id)).toBe(false);
    expect(await rawHas(stores.dir(), DB_NAMES.body, id)).toBe(false);
    expect(store.purgeTag('t')).toBe(0);
    await expectSound(store);
  });

  it('drops an entry whose body is shorter than its header says', async () => {
    const { store, lines, id } = await storedObjects();
    await rewriteRaw(stores.dir(), DB_NAMES.body, id, (body) => body.subarray(0, 1500));
    expect(store.get('k')).toBeUndefined();
    expect(corruptLines(lines)).toEqual([expect.objectContaining({ id, fault: 'body-length' })]);
    await expectSound(store);
  });

  it('drops an entry whose body is missing', async () => {
    const { store, id } = await storedObjects();
    await removeRaw(stores.dir(), DB_NAMES.body, id);
    expect(store.get('k')).toBeUndefined();
    expect(store.stats().corrupt).toBe(1);
    await expectSound(store);
  });

  it.each<[string, (id: string) => Promise<void>]>([
    ['a byte flipped in its metadata', (id) => flipByte(stores.dir(), DB_NAMES.meta, id, 60)],
    ['its tail cut off', (id) => rewriteRaw(stores.dir(), DB_NAMES.meta, id, (record) => record.subarray(0, record.byteLength - 20))],
  ])('drops a metadata record with %s, logs it once, and keeps the byte total exact', async (_label, damage) => {
    const { store, lines, id } = await storedObjects();
    await damage(id);
    expect(store.get('k')).toBeUndefined();
    expect(store.get('k')).toBeUndefined();
    expect(corruptLines(lines)).toEqual([expect.objectContaining({ id, fault: 'checksum' })]);
    expect(store.get('other')).toHaveLength(1);
    await expectSound(store);
    // Its index keys could not be read from the damaged record; a purge meeting them cleans them up.
    expect(store.purgeTag('t')).toBe(0);
    expect(store.purgeTag('shared')).toBe(1);
    expect(store.purgeUrl(makeObject({ key: 'k' }).meta.url)).toBe(0);
    await store.flush();
    expect((await auditDisk(stores.dir())).danglingIndexKeys).toBe(0);
  });

  it.each<[string, (json: string) => string]>([
    ['does not parse', (json) => json.slice(0, -5)],
    ['is not an object', () => '"k"'],
    ['lacks the freshness policy', (json) => JSON.stringify({ ...JSON.parse(json), policy: undefined })],
    ['has headers that are not name/value pairs', (json) => JSON.stringify({ ...JSON.parse(json), headers: 'content-type: text/plain' })],
    ['has a status that is not a number', (json) => JSON.stringify({ ...JSON.parse(json), status: '200' })],
  ])('drops an entry whose metadata %s though its checksum holds', async (_label, edit) => {
    const { store, lines, id } = await storedObjects();
    await resealMeta(id, (json) => ({ json: edit(json) }));
    expect(store.get('k')).toBeUndefined();
    expect(store.get('k')).toBeUndefined();
    expect(corruptLines(lines)).toEqual([expect.objectContaining({ id, fault: 'metadata' })]);
    await expectSound(store);
  });

  it.each<[string, Partial<RecordHeader>]>([
    ['a size smaller than its own bytes', { size: 10 }],
    ['a size that is not a number', { size: Number.NaN }],
    ['an access stamp that is not a number', { accessSeq: Number.NaN }],
    ['a stored stamp below zero', { storedSeq: -1 }],
  ])('drops, at open, a record whose header carries %s though its checksum holds', async (_label, fields) => {
    const { store, id } = await storedObjects();
    await store.close();
    await resealMeta(id, (json, header) => ({ json, header: { ...header, ...fields } }));
    const { logger, lines } = captureLogger();
    const reopened = stores.open({ logger });
    expect(reopened.get('k')).toBeUndefined();
    expect(reopened.get('other')).toHaveLength(1);
    expect(corruptLines(lines)).toEqual([expect.objectContaining({ id, fault: 'header' })]);
    await expectSound(reopened);
  });

  it('drops records that fail verification at open, once', async () => {
    const { logger, lines } = captureLogger();
    let store = stores.open({ logger });
    store.put(makeObject({ key: 'k' }));
    store.put(makeObject({ key: 'ok' }));
    await store.flush();
    await store.close();
    await flipByte(stores.dir(), DB_NAMES.meta, entryId('k', ''), 20);
    store = stores.open({ logger });
    expect(store.stats().corrupt).toBe(1);
    expect(corruptLines(lines)).toHaveLength(1);
    expect(store.get('ok')).toBeDefined();
    await expectSound(store);
    expect(store.stats().entries).toBe(1);
  });

  it('repairs, at open, index entries that point at a record which is gone', async () => {
    const { store, id } = await storedObjects();
    await store.close();
    // The record alone is gone: its body, eviction-order key, variants slot and index keys remain.
    await removeRaw(stores.dir(), DB_NAMES.meta, id);
    const reopened = stores.open();
    expect(reopened.get('k')).toBeUndefined();
    expect(reopened.get('other')).toHaveLength(1);
    await expectSound(reopened);
    expect((await auditDisk(stores.dir())).danglingIndexKeys).toBe(0);
    expect(await rawCounts(stores.dir(), [DB_NAMES.body, DB_NAMES.order, DB_NAMES.urls])).toEqual({ body: 1, order: 1, urls: 1 });
    // Eviction still works: the surviving entry is the only one in the order.
    expect(reopened.purgeTag('shared')).toBe(1);
    await reopened.flush();
    await withRawDb(stores.dir(), (root) => {
      for (const name of ENTRY_DB_NAMES) expect([name, root.openDB(name, { keyEncoding: 'binary' }).getCount()]).toEqual([name, 0]);
    });
  });
});
