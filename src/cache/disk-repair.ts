/**
 * The open-time repair of a damaged store. Every entry's writes share one transaction, so a
 * crash cannot leave a half-written entry; what can is damage to the files (a record that no
 * longer verifies, a record lost from under its indexes). Then keys point at entries that are
 * gone — a body nobody accounts for, an eviction-order key eviction trips over, a variants slot,
 * URL and tag keys — or a sound entry lacks its order key and would never be evicted.
 *
 * Detection is O(1): LMDB keeps each database's entry count, and a sound store has one body,
 * one order key and one URL key per metadata record. Only a store that fails that check (or
 * whose scan found records that do not verify) pays for the repair: one pass over every key.
 */
import type { Database, Key } from 'lmdb';
import type { Logger } from '../log.ts';
import { CACHE_LOG_CODES } from './cache-log-codes.ts';
import type { DiskDbs } from './disk-db.ts';
import { HASH_CHARS, idOfIndexKey } from './disk-keys.ts';
import { readHeader } from './disk-record.ts';
import { removeVariant } from './disk-variants.ts';

export interface RepairPlan {
  /** Order keys whose entry is gone, does not verify, or carries another stamp. */
  readonly staleOrderKeys: readonly number[];
  /** Ids with a body or a variants slot but no metadata record. */
  readonly orphanIds: readonly string[];
  /** URL and tag index keys whose entry is gone or does not verify. */
  readonly indexKeys: { readonly urls: readonly Buffer[]; readonly tags: readonly Buffer[] };
  /** Sound entries without their order key: [stamp, id]. */
  readonly missingOrderKeys: ReadonlyArray<readonly [number, string]>;
}

/**
 * The repair a store needs at open, logged; undefined when it is sound. `corruptRecords`: how
 * many records the open-time scan found not verifying (they are dropped separately).
 */
export function planRepairAtOpen(dbs: DiskDbs, corruptRecords: number, logger: Logger): RepairPlan | undefined {
  if (!needsRepair(dbs, corruptRecords)) return undefined;
  const plan = planRepair(dbs);
  const { staleOrderKeys, orphanIds, indexKeys, missingOrderKeys } = plan;
  const indexCount = indexKeys.urls.length + indexKeys.tags.length;
  if (staleOrderKeys.length + orphanIds.length + indexCount + missingOrderKeys.length === 0) return undefined;
  logger.info('disk cache repairs keys that point at missing or damaged entries', {
    code: CACHE_LOG_CODES.repaired, orderKeys: staleOrderKeys.length, orphans: orphanIds.length, indexKeys: indexCount,
    missingOrderKeys: missingOrderKeys.length,
  });
  return plan;
}

function needsRepair(dbs: DiskDbs, corruptRecords: number): boolean {
  if (corruptRecords > 0) return true;
  const records = entryCount(dbs.meta);
  return entryCount(dbs.body) !== records || entryCount(dbs.order) !== records || entryCount(dbs.urls) !== records;
}

function planRepair(dbs: DiskDbs): RepairPlan {
  const staleOrderKeys: number[] = [];
  for (const { key, value: id } of dbs.order.getRange()) if (stampOf(dbs, id) !== key) staleOrderKeys.push(key);
  const orphans = new Set<string>();
  for (const id of dbs.body.getKeys()) if (!dbs.meta.doesExist(id)) orphans.add(id);
  for (const { key: primary, value: list } of dbs.variants.getRange()) {
    for (let i = 0; i + HASH_CHARS <= list.length; i += HASH_CHARS) {
      const id = primary + list.slice(i, i + HASH_CHARS);
      if (!dbs.meta.doesExist(id)) orphans.add(id);
    }
  }
  const missingOrderKeys: Array<readonly [number, string]> = [];
  for (const { key: id, value } of dbs.meta.getRange()) {
    const head = readHeader(value);
    if (head.ok && dbs.order.get(head.header.accessSeq) !== id) missingOrderKeys.push([head.header.accessSeq, id]);
  }
  return {
    staleOrderKeys, orphanIds: [...orphans], missingOrderKeys,
    indexKeys: { urls: staleIndexKeys(dbs, dbs.urls), tags: staleIndexKeys(dbs, dbs.tags) },
  };
}

/** Applies a plan inside a write transaction; the running totals do not change (see disk-scan.ts). */
export function applyRepair(dbs: DiskDbs, plan: RepairPlan): void {
  for (const key of plan.staleOrderKeys) dbs.order.remove(key);
  for (const id of plan.orphanIds) {
    dbs.body.remove(id);
    removeVariant(dbs, id);
  }
  for (const key of plan.indexKeys.urls) dbs.urls.remove(key);
  for (const key of plan.indexKeys.tags) dbs.tags.remove(key);
  for (const [seq, id] of plan.missingOrderKeys) dbs.order.put(seq, id);
}

/** The stamp of a sound entry, or undefined when the entry is gone or does not verify. */
function stampOf(dbs: DiskDbs, id: string): number | undefined {
  const record = dbs.meta.get(id);
  if (record === undefined) return undefined;
  const head = readHeader(record);
  return head.ok ? head.header.accessSeq : undefined;
}

function staleIndexKeys(dbs: DiskDbs, index: Database<string, Buffer>): Buffer[] {
  const stale: Buffer[] = [];
  for (const key of index.getKeys()) if (stampOf(dbs, idOfIndexKey(key)) === undefined) stale.push(Buffer.from(key));
  return stale;
}

/** O(1): LMDB's own count of a database's entries (getCount would walk them). */
function entryCount<V, K extends Key>(db: Database<V, K>): number {
  return (db.getStats() as { entryCount: number }).entryCount;
}
