/**
 * Mutations of the disk store. Every function here runs inside an LMDB write transaction
 * (a `root.transaction` callback), so its reads see the transaction's own writes — and every
 * other process's committed ones — and an entry, its indexes, its eviction-order key and the
 * running totals (read and written back by the queue, disk-totals.ts) change together or not
 * at all. Whatever a caller decided from its read snapshot is checked again here: another
 * process may have written the entry since.
 */
import type { DiskDbs } from './disk-db.ts';
import { idOfIndexKey, indexKey } from './disk-keys.ts';
import {
  accountedSize, bodyChecksum, buildRecord, encodeMeta, readHeader, readMeta, restampRecord, type RecordHeader,
} from './disk-record.ts';
import type { DiskTotals } from './disk-totals.ts';
import { addVariant, removeVariant } from './disk-variants.ts';
import type { CachedObject, CachedObjectMeta } from './types.ts';

/** A put's work done before the transaction (serialize, checksum, size). */
export interface PreparedEntry {
  readonly meta: CachedObjectMeta;
  readonly metaJson: Buffer;
  readonly body: Buffer;
  readonly bodyCrc: number;
  readonly size: number;
}

/** Serializes, checksums and sizes an object before its transaction; undefined when its metadata cannot be serialized. */
export function prepareEntry(object: CachedObject): PreparedEntry | undefined {
  const metaJson = encodeMeta(object.meta);
  if (metaJson === undefined) return undefined;
  const size = accountedSize(metaJson, object.body.byteLength, object.meta);
  return { meta: object.meta, metaJson, body: object.body, bodyCrc: bodyChecksum(object.body), size };
}

export function writeEntry(dbs: DiskDbs, totals: DiskTotals, id: string, entry: PreparedEntry): void {
  removeEntry(dbs, totals, id);
  const seq = totals.nextSeq++;
  const header: RecordHeader = {
    bodyCrc: entry.bodyCrc, bodyLength: entry.body.byteLength, storedSeq: seq, accessSeq: seq, size: entry.size,
  };
  dbs.meta.put(id, buildRecord(entry.metaJson, header));
  dbs.body.put(id, entry.body);
  dbs.order.put(seq, id);
  addVariant(dbs, id);
  addIndexes(dbs, id, entry.meta);
  totals.bytes += entry.size;
  totals.entries += 1;
}

/**
 * Replaces the metadata of a stored entry, keeping its body (revalidation). Returns false when
 * the entry is gone or its record no longer verifies (then it is removed).
 */
export function rewriteMeta(dbs: DiskDbs, totals: DiskTotals, id: string, metaJson: Buffer, meta: CachedObjectMeta, size: number): boolean {
  const record = dbs.meta.get(id);
  if (record === undefined) return false;
  const head = readHeader(record);
  const old = head.ok ? readMeta(record) : undefined;
  if (!head.ok || old === undefined) {
    removeEntry(dbs, totals, id);
    return false;
  }
  removeIndexes(dbs, id, old);
  dbs.order.remove(head.header.accessSeq);
  const seq = totals.nextSeq++;
  dbs.meta.put(id, buildRecord(metaJson, { ...head.header, accessSeq: seq, size }));
  dbs.order.put(seq, id);
  addIndexes(dbs, id, meta);
  totals.bytes += size - head.header.size;
  return true;
}

export type RemoveOutcome = 'removed' | 'absent' | 'stale-order';

/**
 * Removes an entry with its body, indexes and order key. With `orderSeq` (eviction), only
 * removes it if that order key is still the entry's current one.
 */
export function removeEntry(dbs: DiskDbs, totals: DiskTotals, id: string, orderSeq?: number): RemoveOutcome {
  const record = dbs.meta.get(id);
  if (record === undefined) return 'absent';
  const head = readHeader(record);
  // A record that failed its checksum may still have a header its own check vouches for.
  const header = head.header;
  if (header !== undefined && orderSeq !== undefined && header.accessSeq !== orderSeq) return 'stale-order';
  dbs.meta.remove(id);
  dbs.body.remove(id);
  removeVariant(dbs, id);
  totals.entries -= 1;
  // Without a header this entry's size and order key are unknown: `bytes` stays high until the
  // next open recounts, and eviction drops the order key when it reaches it. The open-time scan
  // cleans up both (disk-repair.ts).
  if (header === undefined) return 'removed';
  dbs.order.remove(header.accessSeq);
  totals.bytes -= header.size;
  // Index keys are only read from metadata that verified; others stay until a purge meets them.
  const meta = head.ok ? readMeta(record) : undefined;
  if (meta !== undefined) removeIndexes(dbs, id, meta);
  return 'removed';
}

/** Re-stamps an entry as recently used, if it still carries the stamp the reader saw. */
export function touchEntry(dbs: DiskDbs, totals: DiskTotals, id: string, seenSeq: number): void {
  const record = dbs.meta.get(id);
  if (record === undefined) return;
  const head = readHeader(record);
  if (!head.ok || head.header.accessSeq !== seenSeq) return;
  const seq = totals.nextSeq++;
  dbs.meta.put(id, restampRecord(record, seq));
  dbs.order.remove(seenSeq);
  dbs.order.put(seq, id);
}

/** Evicts in eviction order (oldest stamp first) until the total is within `maxBytes`. */
export function evictToBound(dbs: DiskDbs, totals: DiskTotals, maxBytes: number): void {
  while (totals.bytes > maxBytes) {
    const oldest = firstOrderEntry(dbs);
    if (oldest === undefined) return;
    dbs.order.remove(oldest.key);
    if (removeEntry(dbs, totals, oldest.value, oldest.key) === 'removed') totals.evictions += 1;
  }
}

/**
 * Removes index keys whose entry is gone (left behind by a dropped, unverifiable record) — unless
 * another process has stored that entry again since the caller looked: its key is the same.
 */
export function removeIndexKeys(dbs: DiskDbs, keys: { readonly urls: readonly Buffer[]; readonly tags: readonly Buffer[] }): void {
  for (const key of keys.urls) if (!dbs.meta.doesExist(idOfIndexKey(key))) dbs.urls.remove(key);
  for (const key of keys.tags) if (!dbs.meta.doesExist(idOfIndexKey(key))) dbs.tags.remove(key);
}

function firstOrderEntry(dbs: DiskDbs): { key: number; value: string } | undefined {
  for (const entry of dbs.order.getRange({ limit: 1 })) return entry;
  return undefined;
}

function addIndexes(dbs: DiskDbs, id: string, meta: CachedObjectMeta): void {
  dbs.urls.put(indexKey(meta.url, id), meta.url);
  for (const tag of meta.tags) dbs.tags.put(indexKey(tag, id), tag);
}

function removeIndexes(dbs: DiskDbs, id: string, meta: CachedObjectMeta): void {
  dbs.urls.remove(indexKey(meta.url, id));
  for (const tag of meta.tags) dbs.tags.remove(indexKey(tag, id));
}
