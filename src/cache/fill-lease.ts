/**
 * Fill leases: which worker process fetches a missed object for the whole node. Workers share
 * the disk tier but not their request collapsers, so a hot miss arriving on every worker at once
 * would otherwise become one origin fetch per worker. A lease is a small row in an LMDB
 * environment of its own beside the disk store's (`<cache.disk.path>/fill-leases`), keyed by the
 * cache key's hash, taken in a write transaction (LMDB runs those one at a time across processes,
 * so exactly one process gets it):
 *  - `fetch`: this process holds the lease (taken now, or already held by its own fill);
 *  - `wait`: another live process is filling; its object appears in the store when it is stored;
 *  - `pass`: the last fill of the key was not storable — everyone fetches for themselves, as a
 *    collapsed waiter does with an uncacheable answer (Varnish calls it hit-for-pass).
 *
 * A lease ends when its fill does: once the disk store's writes queued until then (the object's
 * among them) have committed, so a waiter never sees the lease gone before the object is there.
 * It also ends on its own at `until` (a slow or stuck fill), and when its holder's process is
 * gone (a crash): the row names the holder's pid. Leases need no durability — after a crash of
 * the machine every holder is gone — so their environment never syncs to disk, and a take never
 * waits for the store's own commits, each of which does.
 * Rows left behind (`pass` marks, a crashed holder's lease) are swept as `pass` marks are written:
 * every 32nd looks at 64 rows from a random place and removes the expired ones, so expired rows
 * cannot pile up faster than they are removed. (Sweeping on every take cost as much as the take.)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Clock } from '../clock.ts';
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
  /** Takes the lease on `key` for `ttlMs` unless another live process holds it. */
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
  close(): Promise<void>;
}

export interface FillLeaseOptions {
  /** The disk store's directory; the leases live in its `fill-leases` subdirectory. */
  readonly storePath: string;
  readonly clock: Pick<Clock, 'now'>;
  /** Resolves once the disk store's writes queued so far have committed (or failed). */
  readonly storeWritten: () => Promise<void>;
}

/** The directory of the leases' environment inside a disk store's. */
export function fillLeasesPath(storePath: string): string {
  return join(storePath, 'fill-leases');
}

export const LEASES_DB = 'leases';

const ROW_BYTES = 17;
/** A sweep every SWEEP_EVERY pass marks, of SWEEP_ROWS rows: two looked at per mark written. */
const SWEEP_EVERY = 32;
const SWEEP_ROWS = 64;

export function openFillLeases(options: FillLeaseOptions): FillLeases {
  const { clock } = options;
  // A lease names its holder by pid: a worker is one process, and a dead pid is a crashed holder.
  const self = process.pid;
  const root: RootDatabase = open({
    path: fillLeasesPath(options.storePath),
    maxDbs: 1,
    noSync: true,
    // As the disk store's environment (disk-db.ts): a failed commit must not end the process.
    eventTurnBatching: false,
    overlappingSync: false,
  });
  const leases: Database<Buffer, string> = root.openDB<Buffer, string>(LEASES_DB, { encoding: 'binary' });
  const read = (key: string): LeaseRow | undefined => decode(leases.getBinaryFast(primaryHash(key)));
  const write = (key: string, row: LeaseRow): void => {
    leases.put(primaryHash(key), encode(row));
  };

  /**
   * The turn is decided inside the write transaction, holding LMDB's writer lock, so no other
   * process can decide differently before this one commits; it is acted on at once, without
   * waiting for the commit (a lease lost to a crash costs at most a second fetch).
   */
  function take(key: string, ttlMs: number): Promise<LeaseTurn> {
    return new Promise<LeaseTurn>((resolve) => {
      root.childTransaction(() => {
        const turn = decide(key, ttlMs);
        resolve(turn);
        return turn;
      }).catch(() => {
        // The lease could not be written (a full disk): fetch alone rather than wait on nothing.
        resolve({ kind: 'fetch' });
      });
    });
  }

  function decide(key: string, ttlMs: number): LeaseTurn {
    const now = clock.now();
    const row = read(key);
    if (row !== undefined && row.until > now) {
      if (row.state === 'pass') return { kind: 'pass' };
      if (row.holder === self) return { kind: 'fetch' };
      if (processAlive(row.holder)) return { kind: 'wait', holder: row.holder, until: row.until };
    }
    write(key, { holder: self, until: now + ttlMs, state: 'filling' });
    return { kind: 'fetch' };
  }

  /** Removes expired rows among a few from a random place in the table (inside a write transaction). */
  function sweep(now: number): void {
    const start = randomBytes(HASH_CHARS).toString('base64url').slice(0, HASH_CHARS);
    const expired: string[] = [];
    for (const { key, value } of leases.getRange({ start, limit: SWEEP_ROWS })) {
      const row = decode(value);
      if (row === undefined || row.until <= now) expired.push(key);
    }
    for (const key of expired) leases.remove(key);
  }

  let passMarks = 0;
  function release(key: string, how: 'done' | 'pass', ttlMs: number): void {
    // `done`: the object (if the store took it) must be visible before the lease is gone.
    const after = how === 'done' ? options.storeWritten() : Promise.resolve();
    void after.then(() => root.childTransaction(() => {
      const row = read(key);
      if (row === undefined || row.holder !== self) return;
      if (how === 'done') return void leases.remove(primaryHash(key));
      const now = clock.now();
      write(key, { holder: self, until: now + ttlMs, state: 'pass' });
      if (++passMarks % SWEEP_EVERY === 0) sweep(now);
    })).catch(() => {
      // Left in place, the lease ends at its `until`.
    });
  }

  return {
    take,
    peek: read,
    release,
    isOwn: (row) => row.holder === self,
    isAlive: (row) => row.holder === self || processAlive(row.holder),
    close: () => root.close(),
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
