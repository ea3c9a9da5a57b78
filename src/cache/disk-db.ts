/**
 * The LMDB environment behind the disk store and its named databases. All are in one
 * environment so one write transaction updates an entry, its indexes, its eviction order and the
 * running totals atomically: a crash leaves either the whole entry or none of it, and several
 * processes may write the environment at once (LMDB serialises their write transactions).
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { ConfigError } from '../errors.ts';

export interface DiskDbs {
  readonly root: RootDatabase;
  /** entry id → metadata record (see disk-record.ts). */
  readonly meta: Database<Buffer, string>;
  /** primaryHash(key) → the variant hashes of its entries, concatenated (see disk-keys.ts). */
  readonly variants: Database<string, string>;
  /** entry id → body bytes. */
  readonly body: Database<Buffer, string>;
  /** accessSeq → entry id; the oldest key is the next eviction. */
  readonly order: Database<string, number>;
  /** UTF-8 of clip(url) \0 id → full URL (see disk-keys.ts). */
  readonly urls: Database<string, Buffer>;
  /** UTF-8 of clip(tag) \0 id → full tag. */
  readonly tags: Database<string, Buffer>;
  /** What every process writing the store shares: its running totals (disk-totals.ts). */
  readonly state: Database<Buffer, string>;
}

export const DB_NAMES = { meta: 'meta', variants: 'variants', body: 'body', order: 'order', urls: 'urls', tags: 'tags', state: 'state' } as const;

/** The databases that hold entries (all empty in an empty store; `state` always holds the totals). */
export const ENTRY_DB_NAMES = [DB_NAMES.meta, DB_NAMES.variants, DB_NAMES.body, DB_NAMES.order, DB_NAMES.urls, DB_NAMES.tags] as const;

export function openDiskDbs(path: string): DiskDbs {
  let root: RootDatabase;
  try {
    root = open({
      path,
      maxDbs: 8,
      // Off: bodies are usually compressed already and checksums cover stored bytes.
      compression: false,
      // lmdb-js's two defaults below misbehave when a commit fails (a full disk): the event-turn
      // batch leaves a rejected promise nobody can handle, which ends the process, and with
      // overlapping sync the flush promise of a failed commit never settles, so close() hangs.
      // Writes still batch: callbacks queued before a transaction starts share it.
      eventTurnBatching: false,
      overlappingSync: false,
    });
  } catch (error) {
    throw new ConfigError(`cache.disk.path: cannot open the disk cache at ${path}: ${(error as Error).message}`);
  }
  return {
    root,
    meta: root.openDB<Buffer, string>(DB_NAMES.meta, { encoding: 'binary' }),
    variants: root.openDB<string, string>(DB_NAMES.variants, { encoding: 'string' }),
    body: root.openDB<Buffer, string>(DB_NAMES.body, { encoding: 'binary' }),
    order: root.openDB<string, number>(DB_NAMES.order, { encoding: 'string' }),
    urls: root.openDB<string, Buffer>(DB_NAMES.urls, { encoding: 'string', keyEncoding: 'binary' }),
    tags: root.openDB<string, Buffer>(DB_NAMES.tags, { encoding: 'string', keyEncoding: 'binary' }),
    state: root.openDB<Buffer, string>(DB_NAMES.state, { encoding: 'binary' }),
  };
}

/**
 * A metadata record as a view into lmdb's shared read buffer: no copy, but only valid until the
 * next read on this environment, so callers decode it at once. (lmdb sets `length` on that
 * shared buffer to the value's size; subarray gives a view whose byteLength agrees.)
 */
export function peekMetaRecord(dbs: DiskDbs, id: string): Buffer | undefined {
  const shared = dbs.meta.getBinaryFast(id);
  return shared === undefined ? undefined : shared.subarray(0, shared.length);
}
