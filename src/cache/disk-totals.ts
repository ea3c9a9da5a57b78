/**
 * The disk store's running totals — accounted bytes, entries, evictions and the next eviction-
 * order stamp — kept in the database, not in a process. Several processes (the workers of one
 * node) write one store; LMDB runs their write transactions one at a time, so totals that are
 * read and written back inside the transaction that changes an entry stay exact whoever writes,
 * and two processes can never hand out the same stamp. A transaction that fails or aborts takes
 * its totals change with it: nothing to roll back by hand.
 *
 * Outside a transaction `readTotals` sees the last commit (of any process) that this process's
 * read snapshot covers; lmdb-js renews that snapshot every event turn.
 */
import type { DiskDbs } from './disk-db.ts';

export interface DiskTotals {
  bytes: number;
  entries: number;
  /** Entries evicted to stay within the bound, over the store's life (every process's). */
  evictions: number;
  /** Next eviction-order stamp; also the "stored" stamp of the next write. */
  nextSeq: number;
}

const TOTALS_KEY = 'totals';
const FIELDS = ['bytes', 'entries', 'evictions', 'nextSeq'] as const;
const RECORD_BYTES = FIELDS.length * 8;

/** The committed totals; zeros before the store's first open has written them. */
export function readTotals(dbs: DiskDbs): DiskTotals {
  return decode(dbs.state.getBinaryFast(TOTALS_KEY)) ?? { bytes: 0, entries: 0, evictions: 0, nextSeq: 1 };
}

/** Only inside a write transaction. */
export function writeTotals(dbs: DiskDbs, totals: DiskTotals): void {
  const record = Buffer.alloc(RECORD_BYTES);
  FIELDS.forEach((field, i) => record.writeDoubleLE(totals[field], i * 8));
  dbs.state.put(TOTALS_KEY, record);
}

/**
 * Runs `action` (inside a write transaction) on the totals as this transaction sees them, and
 * writes them back if it changed them.
 */
export function withTotals<T>(dbs: DiskDbs, action: (totals: DiskTotals) => T): T {
  const totals = readTotals(dbs);
  const before = { ...totals };
  const result = action(totals);
  if (FIELDS.some((field) => totals[field] !== before[field])) writeTotals(dbs, totals);
  return result;
}

function decode(record: Buffer | undefined): DiskTotals | undefined {
  // lmdb's shared read buffer carries the value's size in `length`, not `byteLength`.
  if (record === undefined || record.length < RECORD_BYTES) return undefined;
  return {
    bytes: record.readDoubleLE(0),
    entries: record.readDoubleLE(8),
    evictions: record.readDoubleLE(16),
    nextSeq: record.readDoubleLE(24),
  };
}
