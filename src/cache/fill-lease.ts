/**
 * Fill leases: which worker process fetches a missed object for the whole node. Workers share
 * the disk tier but not their request collapsers, so a hot miss arriving on every worker at once
 * would otherwise become one origin fetch per worker. A lease is a small row in the shared LMDB
 * environment, keyed by the cache key's hash, taken in a write transaction (LMDB runs those one
 * at a time across processes, so exactly one process gets it):
 *  - `fetch`: this process holds the lease (taken now, or already held by its own fill);
 *  - `wait`: another live process is filling; its object appears in the store when it is stored;
 *  - `pass`: the last fill of the key was not storable — everyone fetches for themselves, as a
 *    collapsed waiter does with an uncacheable answer (Varnish calls it hit-for-pass).
 *
 * A lease ends when its fill does. Its removal is queued after the disk store's put of the same
 * object, and lmdb-js commits one process's writes in call order, so a waiter never sees the
 * lease gone before the object is there. A lease also ends on its own at `until` (a slow or
 * stuck fill), and when its holder's process is gone (a crash): the row names the holder's pid.
 * Rows left behind (a `pass` mark, a crashed holder's lease) are swept by later takes: each one
 * that writes a row also looks at a few rows from a random place and removes the expired ones,
 * so the table stays about as large as the leases alive at once.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { DiskDbs } from './disk-db.ts';
import { HASH_CHARS, primaryHash } from './disk-keys.ts';

export type LeaseTurn =
  | { readonly kind: 'fetch' }
  | { readonly kind: 'wait'; readonly holder: number; readonly until: number }
  | { readonly kind: 'pass' };

export interface LeaseRow {
  readonly holder: number;
  /** When the lease ends on its own (ms since the epoch, the node's clock). */
  readonly until: number;
  readonly state: 'filling' | 'pass';
}

export interface FillLeases {
  /** Takes the lease on `key` for `ttlMs` unless another live process holds it; resolves after the commit. */
  take(key: string, ttlMs: number): Promise<LeaseTurn>;
  /** The committed lease on `key` (as this process's read snapshot has it); undefined when there is none. */
  peek(key: string): LeaseRow | undefined;
  /**
   * Ends this process's lease on `key`: `done` removes it (after any store write queued before),
   * `pass` marks the key uncacheable for `ttlMs`, so every worker fetches it without waiting.
   */
  release(key: string, how: 'done' | 'pass', ttlMs: number): void;
  /** Whether a lease holder is this process. */
  isOwn(row: LeaseRow): boolean;
  /** Whether a lease holder's process is still running. */
  isAlive(row: LeaseRow): boolean;
}

const ROW_BYTES = 17;
/** Rows a take looks at to sweep: two per row written keeps the expired ones from piling up. */
const SWEEP_ROWS = 4;

export function createFillLeases(dbs: DiskDbs, clock: Pick<Clock, 'now'>, self: number = process.pid): FillLeases {
  const read = (key: string): LeaseRow | undefined => decode(dbs.leases.getBinaryFast(primaryHash(key)));
  const write = (key: string, row: LeaseRow): void => {
    dbs.leases.put(primaryHash(key), encode(row));
  };

  async function take(key: string, ttlMs: number): Promise<LeaseTurn> {
    try {
      return await dbs.root.childTransaction((): LeaseTurn => {
        const now = clock.now();
        const row = read(key);
        if (row !== undefined && row.until > now) {
          if (row.state === 'pass') return { kind: 'pass' };
          if (row.holder === self) return { kind: 'fetch' };
          if (processAlive(row.holder)) return { kind: 'wait', holder: row.holder, until: row.until };
        }
        write(key, { holder: self, until: now + ttlMs, state: 'filling' });
        sweep(now);
        return { kind: 'fetch' };
      });
    } catch {
      // The lease could not be written (a full disk): fetch alone rather than wait on nothing.
      return { kind: 'fetch' };
    }
  }

  /** Removes expired rows among a few from a random place in the table (inside a write transaction). */
  function sweep(now: number): void {
    const start = randomBytes(HASH_CHARS).toString('base64url').slice(0, HASH_CHARS);
    const expired: string[] = [];
    for (const { key, value } of dbs.leases.getRange({ start, limit: SWEEP_ROWS })) {
      const row = decode(value);
      if (row === undefined || row.until <= now) expired.push(key);
    }
    for (const key of expired) dbs.leases.remove(key);
  }

  function release(key: string, how: 'done' | 'pass', ttlMs: number): void {
    void dbs.root.childTransaction(() => {
      const row = read(key);
      if (row === undefined || row.holder !== self) return;
      if (how === 'done') dbs.leases.remove(primaryHash(key));
      else write(key, { holder: self, until: clock.now() + ttlMs, state: 'pass' });
    }).catch(() => {
      // Left in place, the lease ends at its `until`.
    });
  }

  return {
    take,
    peek: read,
    release,
    isOwn: (row) => row.holder === self,
    isAlive: (row) => row.holder === self || processAlive(row.holder),
  };
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function encode(row: LeaseRow): Buffer {
  const record = Buffer.alloc(ROW_BYTES);
  record.writeDoubleLE(row.holder, 0);
  record.writeDoubleLE(row.until, 8);
  record.writeUInt8(row.state === 'pass' ? 1 : 0, 16);
  return record;
}

function decode(record: Buffer | undefined): LeaseRow | undefined {
  // lmdb's shared read buffer carries the value's size in `length`, not `byteLength`.
  if (record === undefined || record.length < ROW_BYTES) return undefined;
  return { holder: record.readDoubleLE(0), until: record.readDoubleLE(8), state: record.readUInt8(16) === 1 ? 'pass' : 'filling' };
}
