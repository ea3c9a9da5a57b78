/**
 * The open-time pass over the disk store: recounts bytes and entries from the metadata records
 * (bodies are not read) and finds records that no longer verify. Cost: one sequential read of
 * the meta database plus a CRC of each small record — O(entries), paid once per process start,
 * and it keeps the running total honest even after a crash or a change of accounting.
 *
 * The recount runs inside a write transaction, so it counts exactly what the totals it writes
 * back describe while other processes keep writing the store: their transactions wait for it.
 */
import type { DiskDbs } from './disk-db.ts';
import { readHeader, type RecordFault } from './disk-record.ts';
import { readTotals, writeTotals, type DiskTotals } from './disk-totals.ts';

export interface ScanResult {
  readonly totals: DiskTotals;
  readonly corrupt: ReadonlyArray<{ readonly id: string; readonly fault: RecordFault }>;
}

export function scanDisk(dbs: DiskDbs): ScanResult {
  const totals: DiskTotals = { bytes: 0, entries: 0, evictions: 0, nextSeq: 1 };
  const corrupt: Array<{ id: string; fault: RecordFault }> = [];
  for (const { key: id, value } of dbs.meta.getRange()) {
    // A record that fails to verify is still an entry until the removal that follows drops it;
    // its bytes count when its header is vouched for, since that removal then subtracts them.
    totals.entries += 1;
    const head = readHeader(value);
    if (!head.ok) corrupt.push({ id, fault: head.fault });
    if (head.header === undefined) continue;
    totals.bytes += head.header.size;
    totals.nextSeq = Math.max(totals.nextSeq, head.header.accessSeq + 1);
  }
  for (const { key } of dbs.order.getRange({ reverse: true, limit: 1 })) {
    totals.nextSeq = Math.max(totals.nextSeq, key + 1);
  }
  return { totals, corrupt };
}

/**
 * Inside a write transaction: recounts and writes the totals back. Evictions are a count over the
 * store's life, not a recount, and stamps never move backwards (another process may hold one).
 */
export function recountTotals(dbs: DiskDbs): ScanResult {
  const kept = readTotals(dbs);
  const { totals, corrupt } = scanDisk(dbs);
  const recounted = { ...totals, evictions: kept.evictions, nextSeq: Math.max(totals.nextSeq, kept.nextSeq) };
  writeTotals(dbs, recounted);
  return { totals: recounted, corrupt };
}
