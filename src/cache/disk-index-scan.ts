/**
 * Reads of the URL and tag indexes for purges. Each yields the index key (so a key whose entry
 * is gone can be cleaned up) and the entry id; the stored full text settles matches that
 * clipping made ambiguous.
 */
import type { DiskDbs } from './disk-db.ts';
import { exactIndexRange, idOfIndexKey, prefixIndexStart, startsWithBytes } from './disk-keys.ts';

export type IndexName = 'urls' | 'tags';

export interface IndexHit {
  readonly indexKey: Buffer;
  readonly id: string;
}

/** Entries indexed under exactly `text`. Cost: O(log n + matches). */
export function* exactIndexHits(dbs: DiskDbs, index: IndexName, text: string): Generator<IndexHit> {
  for (const { key, value } of dbs[index].getRange(exactIndexRange(text))) {
    if (value === text) yield { indexKey: key, id: idOfIndexKey(key) };
  }
}

/**
 * Entries whose URL starts with `prefix`. Cost: O(log n) to find the start, then one step per
 * index key sharing the prefix (clipped to the indexed length) — no full scan.
 */
export function* urlPrefixHits(dbs: DiskDbs, prefix: string): Generator<IndexHit> {
  const start = prefixIndexStart(prefix);
  for (const { key, value } of dbs.urls.getRange({ start })) {
    if (!startsWithBytes(key, start)) return;
    if (value.startsWith(prefix)) yield { indexKey: key, id: idOfIndexKey(key) };
  }
}
