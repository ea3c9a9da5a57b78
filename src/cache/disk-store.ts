/**
 * The disk cache tier, on LMDB: survives restarts, bounded by bytes, every entry checksummed.
 *
 * Reads are synchronous (LMDB reads a memory map). Writes are queued as LMDB transaction
 * callbacks, which run in call order and commit in batches; until a write commits, the pending
 * overlay (disk-pending.ts) answers for it, so the synchronous contract holds — a purged object
 * is never read back, a stored one is found at once.
 *
 * Eviction is approximate LRU: every entry carries an access stamp, and an order database maps
 * stamps to entries, oldest first. A read re-stamps an entry only once it has drifted into the
 * older half of that order (and at most once per pending commit), so hot entries survive while
 * a read costs a write only about once per entries/2 writes — unlike strict LRU, which would
 * turn every disk hit into a write transaction. Behind the memory tier, disk reads are memory
 * misses, which is the signal this tier should keep.
 *
 * Several processes may share a path (the workers of one node): the running totals and the
 * eviction order live in the database and change in the transactions that change entries
 * (disk-totals.ts), so whichever process's write crosses the bound evicts, for all of them. The
 * overlay is this process's own: its writes are invisible to the others until they commit, and a
 * purge must therefore run in every process (the node's admin API sends it to every worker).
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { CACHE_LOG_CODES } from './cache-log-codes.ts';
import { openDiskDbs, peekMetaRecord } from './disk-db.ts';
import { exactIndexHits, urlPrefixHits, type IndexHit, type IndexName } from './disk-index-scan.ts';
import { entryId } from './disk-keys.ts';
import { openFillLeases, type FillLeases } from './fill-lease.ts';
import { PendingWrites } from './disk-pending.ts';
import { readVariants } from './disk-read.ts';
import { accountedSize, encodeMeta, MAX_BODY_BYTES, readHeader, readMeta, type RecordFault } from './disk-record.ts';
import { applyRepair, planRepairAtOpen } from './disk-repair.ts';
import { recountTotals, type ScanResult } from './disk-scan.ts';
import { readTotals, type DiskTotals } from './disk-totals.ts';
import { variantIds } from './disk-variants.ts';
import { DiskWriteQueue, type Settlement, type WriteFailure } from './disk-write-queue.ts';
import { WriteRecovery, type DiskBound } from './disk-write-recovery.ts';
import { evictToBound, prepareEntry, removeEntry, removeIndexKeys, rewriteMeta, touchEntry, writeEntry } from './disk-writer.ts';
import { assertPositiveInteger } from './store-limits.ts';
import type { CachedObject, CachedObjectMeta, CacheFaultCounts, CacheStore, CacheStoreStats } from './types.ts';

export interface DiskStoreOptions {
  readonly path: string;
  /** Bound on stored bytes: bodies, metadata records and an estimate of index and LMDB overhead. */
  readonly maxBytes: number;
  readonly logger: Logger;
  /** Body bytes allowed to wait for a disk commit; a put beyond it is dropped. Default 64 MiB. */
  readonly maxPendingBytes?: number;
  /** After a failed write (a full disk), how long storing pauses before a retry. Default 5 s. */
  readonly writeRetryMs?: number;
}

/** The fault counters are documented on CacheFaultCounts; a disk store counts all of them. */
export type DiskStoreStats = CacheStoreStats & Required<CacheFaultCounts> & {
  /** Writes accepted but not yet committed. */
  readonly pendingWrites: number;
};

export interface DiskStore extends CacheStore {
  stats(): DiskStoreStats;
  /** Resolves once every write issued so far has committed. */
  flush(): Promise<void>;
  /** Fill leases beside this store, for the worker processes that share it (fill-lease.ts); closed with it. */
  fillLeases(clock: Pick<Clock, 'now'>): FillLeases;
}

const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** A full disk rarely clears within seconds; one probe transaction per 5 s costs nothing. */
const DEFAULT_WRITE_RETRY_MS = 5000;
/** Below this many stamps of drift a read never re-stamps (small stores would churn). */
const MIN_TOUCH_DISTANCE = 64;

export function createDiskStore(options: DiskStoreOptions): DiskStore {
  assertPositiveInteger(options.maxBytes, 'cache.disk.max_bytes');
  const { maxBytes, logger } = options;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  const dbs = openDiskDbs(options.path);
  const pending = new PendingWrites();
  const bound: DiskBound = { configured: maxBytes, current: maxBytes };
  const queue = new DiskWriteQueue(dbs, pending, { committed: (kind) => recovery.committed(kind), failed: writeFailed });
  const enqueue = queue.enqueue.bind(queue);
  const recovery = new WriteRecovery({
    retryMs: options.writeRetryMs ?? DEFAULT_WRITE_RETRY_MS, logger, bound, storedBytes: () => readTotals(dbs).bytes, probe,
  });
  const touching = new Set<string>();
  const counters = { corrupt: 0, refused: 0, dropped: 0 };
  let closed = false;
  /** The totals as the store left them, for stats() once it is closed. */
  let totalsAtClose: DiskTotals | undefined;
  let leases: FillLeases | undefined;

  /** Removals must land: a failed one keeps hiding its entries and is retried (see disk-write-recovery.ts). */
  function removeQueued(ids: Iterable<string>, dangling?: { urls: Buffer[]; tags: Buffer[] }): void {
    const settlements = [...ids].map((id): Settlement => [id, pending.delete(id)]);
    void enqueue('remove', (totals) => {
      for (const [id] of settlements) removeEntry(dbs, totals, id);
      if (dangling !== undefined) removeIndexKeys(dbs, dangling);
    }, settlements);
  }

  function writeFailed(failure: WriteFailure): void {
    // A put that shared a failed commit with a failed removal of the same entry must not, once
    // settled, uncover what the removal was hiding: hide it again under a new pending delete.
    if (failure.kind !== 'remove') {
      for (const [id] of failure.settlements) if (recovery.owes(id)) recovery.owe(id, pending.delete(id));
    }
    recovery.failed(failure);
  }

  function probe(removals: readonly Settlement[]): Promise<boolean> {
    const owed = removals.filter(([id, ticket]) => pending.get(id)?.ticket === ticket);
    return enqueue('remove', (totals) => {
      for (const [id] of owed) removeEntry(dbs, totals, id);
      evictToBound(dbs, totals, bound.current);
    }, owed);
  }

  function removeIfPresent(id: string): void {
    const op = pending.get(id);
    if (op?.kind === 'delete') return;
    if (op !== undefined || dbs.meta.doesExist(id)) removeQueued([id]);
  }

  function dropCorrupt(id: string, fault: RecordFault): void {
    counters.corrupt += 1;
    logger.warn('disk cache entry failed verification; dropped', { code: CACHE_LOG_CODES.corrupt, id, fault });
    removeQueued([id]);
  }

  function refuse(id: string, meta: CachedObjectMeta, reason: string, bytes: number): void {
    counters.refused += 1;
    logger.info('object not stored on disk', { code: CACHE_LOG_CODES.refused, reason, url: meta.url, bytes, maxBytes });
    // The origin superseded any older copy, so it must not outlive the refused one.
    removeIfPresent(id);
  }

  function maybeTouch(id: string, accessSeq: number): void {
    const totals = readTotals(dbs);
    const distance = Math.max(MIN_TOUCH_DISTANCE, totals.entries >> 1);
    if (totals.nextSeq - accessSeq <= distance || touching.has(id) || recovery.paused) return;
    touching.add(id);
    void enqueue('upkeep', (current) => touchEntry(dbs, current, id, accessSeq), []).then(() => touching.delete(id));
  }

  const readDeps = { dbs, pending, dropCorrupt, touched: maybeTouch };

  function get(key: string): readonly CachedObject[] | undefined {
    return closed ? undefined : readVariants(readDeps, key);
  }

  function put(object: CachedObject): void {
    if (closed) return;
    const { meta, body } = object;
    const id = entryId(meta.key, meta.variantKey);
    if (body.byteLength > MAX_BODY_BYTES) return refuse(id, meta, 'too-large', body.byteLength);
    const entry = prepareEntry(object);
    if (entry === undefined) return refuse(id, meta, 'metadata-not-serializable', body.byteLength);
    if (entry.size > maxBytes) return refuse(id, meta, 'too-large', entry.size);
    if (recovery.paused) {
      recovery.skip();
      return removeIfPresent(id);
    }
    if (pending.bodyBytes > 0 && pending.bodyBytes + body.byteLength > maxPendingBytes) {
      counters.dropped += 1;
      logger.warn('disk write backlog full; object not stored on disk', {
        code: CACHE_LOG_CODES.backlog, url: meta.url, pendingBytes: pending.bodyBytes, maxPendingBytes,
      });
      return removeIfPresent(id);
    }
    const ticket = pending.put(id, object);
    void enqueue('store', (totals) => {
      writeEntry(dbs, totals, id, entry);
      evictToBound(dbs, totals, bound.current);
    }, [[id, ticket]]);
  }

  /** Body length of a committed entry, or undefined when it is gone or fails verification. */
  function committedBodyLength(id: string): number | undefined {
    const record = peekMetaRecord(dbs, id);
    if (record === undefined) return undefined;
    const head = readHeader(record);
    if (head.ok) return head.header.bodyLength;
    dropCorrupt(id, head.fault);
    return undefined;
  }

  /**
   * Rewrites only the metadata record, keeping body and "stored" order. A pending put is updated
   * in the overlay as a put (its body is not on disk yet); the rewrite queues behind that put.
   */
  function updateMeta(meta: CachedObjectMeta): boolean {
    if (closed) return false;
    const id = entryId(meta.key, meta.variantKey);
    const op = pending.get(id);
    if (op?.kind === 'delete') return false;
    if (recovery.paused) {
      // The stored copy keeps its old metadata: it is revalidated again when next used.
      recovery.skip();
      return false;
    }
    const bodyLength = op?.kind === 'put' ? op.object.body.byteLength : committedBodyLength(id);
    if (bodyLength === undefined) return false;
    const metaJson = encodeMeta(meta);
    const size = metaJson === undefined ? undefined : accountedSize(metaJson, bodyLength, meta);
    if (metaJson === undefined || size === undefined || size > maxBytes) {
      refuse(id, meta, metaJson === undefined ? 'metadata-not-serializable' : 'too-large', size ?? bodyLength);
      return false;
    }
    const ticket = op?.kind === 'put'
      ? pending.put(id, { meta, body: op.object.body }, op.order)
      : pending.meta(id, meta);
    void enqueue('store', (totals) => {
      rewriteMeta(dbs, totals, id, metaJson, meta, size);
      evictToBound(dbs, totals, bound.current);
    }, [[id, ticket]]);
    return true;
  }

  function deleteKey(key: string): number {
    if (closed) return 0;
    const ids = new Set<string>();
    for (const id of variantIds(dbs, key)) {
      const record = pending.get(id) === undefined ? peekMetaRecord(dbs, id) : undefined;
      if (record === undefined) continue;
      const head = readHeader(record);
      const meta = head.ok ? readMeta(record) : undefined;
      if (meta === undefined) dropCorrupt(id, head.ok ? 'metadata' : head.fault);
      else if (meta.key === key) ids.add(id);
    }
    for (const id of pending.idsForKey(key)) ids.add(id);
    if (ids.size > 0) removeQueued(ids);
    return ids.size;
  }

  /**
   * Removes the committed candidates (from an index range) plus every pending write whose
   * metadata matches. Entries with a pending op are judged on that op's metadata, which is what
   * will be on disk once it commits. Index keys whose entry is gone are cleaned up on the way.
   */
  function purge(hits: Iterable<IndexHit>, index: IndexName, matches: (meta: CachedObjectMeta) => boolean): number {
    if (closed) return 0;
    const ids = new Set<string>();
    const dangling = { urls: [] as Buffer[], tags: [] as Buffer[] };
    for (const { indexKey, id } of hits) {
      if (pending.get(id) !== undefined) continue;
      if (dbs.meta.doesExist(id)) ids.add(id);
      else dangling[index].push(indexKey);
    }
    for (const [id, meta] of pending.metas()) if (matches(meta)) ids.add(id);
    if (ids.size > 0 || dangling[index].length > 0) removeQueued(ids, dangling);
    return ids.size;
  }

  /** Gives the removals still owed to the disk one last try; says so if they did not land. */
  async function settleOwedRemovals(): Promise<void> {
    const owed = recovery.close();
    if (owed.length === 0 || await probe(owed)) return;
    logger.warn('disk cache closed with purged entries still on disk; they are served again after a restart', {
      code: CACHE_LOG_CODES.writeFailed, entries: owed.length,
    });
  }

  const { corrupt: corruptAtOpen } = openTimePass();
  for (const { id, fault } of corruptAtOpen) dropCorrupt(id, fault);
  if (readTotals(dbs).bytes > maxBytes) void enqueue('upkeep', (totals) => evictToBound(dbs, totals, maxBytes), []);

  /**
   * Recount and repair in one write transaction, before anything is served: exact while other
   * processes write (they wait for it). If even that small write fails (a full disk at start),
   * it is queued instead, and commits once writes do again.
   */
  function openTimePass(): Pick<ScanResult, 'corrupt'> {
    const pass = (): ScanResult => {
      const scan = recountTotals(dbs);
      const repair = planRepairAtOpen(dbs, scan.corrupt.length, logger);
      if (repair !== undefined) applyRepair(dbs, repair);
      return scan;
    };
    try {
      return dbs.root.transactionSync(pass);
    } catch (error) {
      logger.warn('disk cache could not recount its totals at open; queued', { code: CACHE_LOG_CODES.writeFailed, error });
      void enqueue('upkeep', () => void pass(), []);
      return { corrupt: [] };
    }
  }

  return {
    get,
    put,
    updateMeta,
    delete: deleteKey,
    purgeUrl: (url) => purge(exactIndexHits(dbs, 'urls', url), 'urls', (meta) => meta.url === url),
    purgeUrlPrefix: (prefix) => purge(urlPrefixHits(dbs, prefix), 'urls', (meta) => meta.url.startsWith(prefix)),
    purgeTag: (tag) => purge(exactIndexHits(dbs, 'tags', tag), 'tags', (meta) => meta.tags.includes(tag)),
    stats: () => {
      const totals = totalsAtClose ?? readTotals(dbs);
      return {
        bytes: totals.bytes, entries: totals.entries, evictions: totals.evictions, maxBytes: bound.current,
        ...counters, ...recovery.stats(), pendingWrites: pending.size,
      };
    },
    flush: () => queue.flush(),
    fillLeases: (clock) => (leases ??= openFillLeases({ storePath: options.path, clock, storeWritten: () => queue.written() })),
    async close() {
      if (closed) return;
      closed = true;
      await queue.flush();
      await settleOwedRemovals();
      totalsAtClose = readTotals(dbs);
      await leases?.close();
      await dbs.root.close();
    },
  };
}
