/**
 * The disk store's writes, in call order. Each write is an LMDB transaction callback (lmdb-js
 * runs them in order and commits them in batches); when one has committed, the pending ops it
 * covered are settled. A write never rejects to its caller: the cache tier degrades to misses
 * instead of failing requests.
 *
 * A write can fail two ways: its callback throws, or the commit of its batch fails (a full or
 * failing disk: lmdb reports an I/O error). Either way none of its changes reach the disk, so
 * the running totals it changed are rolled back, and the store's observer is told so it can
 * pause, retry and log. Each callback runs as a child transaction, so one that throws midway
 * leaves no half-written entry in the batch the others commit.
 */
import type { DiskDbs } from './disk-db.ts';
import type { PendingWrites } from './disk-pending.ts';
import type { DiskTotals } from './disk-writer.ts';

export type Settlement = readonly [id: string, ticket: number];

/**
 * - store: writes an entry or its metadata, so it needs new pages (the data file may grow).
 * - remove: must not be lost (a purged object must stay purged). When it fails, its pending ops
 *   stay in the overlay, still hiding the entries, until the store retries it.
 * - upkeep: eviction and LRU re-stamps; losing one costs nothing.
 */
export type WriteKind = 'store' | 'remove' | 'upkeep';

export interface WriteFailure {
  readonly kind: WriteKind;
  /** What failed: lmdb's underlying commit error (e.g. EIO from a full disk), or what the callback threw. */
  readonly error: unknown;
  readonly settlements: readonly Settlement[];
}

/** Told of every write's outcome, after its totals changes were kept or undone. */
export interface WriteObserver {
  committed(kind: WriteKind): void;
  failed(failure: WriteFailure): void;
}

/** The part of the totals a failed write gives back; stamps only ever move forward. */
interface TotalsDelta {
  bytes: number;
  entries: number;
  evictions: number;
}

export class DiskWriteQueue {
  readonly #dbs: DiskDbs;
  readonly #pending: PendingWrites;
  readonly #totals: DiskTotals;
  readonly #observer: WriteObserver;
  readonly #inflight = new Set<Promise<boolean>>();

  constructor(dbs: DiskDbs, pending: PendingWrites, totals: DiskTotals, observer: WriteObserver) {
    this.#dbs = dbs;
    this.#pending = pending;
    this.#totals = totals;
    this.#observer = observer;
  }

  /**
   * Queues `action` in a write transaction. Resolves true once it committed, false when it
   * failed (then its totals changes are undone); never rejects.
   */
  enqueue(kind: WriteKind, action: () => void, settlements: readonly Settlement[]): Promise<boolean> {
    const delta: TotalsDelta = { bytes: 0, entries: 0, evictions: 0 };
    const done = this.#commit(action, delta).then(
      () => {
        // Make the commit visible to this process's reads before lifting the overlay over it.
        this.#dbs.root.resetReadTxn();
        this.#observer.committed(kind);
        return true;
      },
      async (error: unknown) => {
        this.#undo(delta);
        this.#observer.failed({ kind, error: await causeOf(error), settlements });
        return false;
      },
    ).then((committed) => {
      if (committed || kind !== 'remove') for (const [id, ticket] of settlements) this.#pending.settle(id, ticket);
      this.#inflight.delete(done);
      return committed;
    });
    this.#inflight.add(done);
    return done;
  }

  /** Resolves once every write queued so far, and any queued meanwhile, has committed or failed. */
  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /** Runs `action` as a child transaction, recording what it changed in the totals. */
  #commit(action: () => void, delta: TotalsDelta): Promise<unknown> {
    const totals = this.#totals;
    try {
      return this.#dbs.root.childTransaction(() => {
        const before = { bytes: totals.bytes, entries: totals.entries, evictions: totals.evictions };
        try {
          action();
        } finally {
          // On a throw the child transaction is aborted and this delta is undone with the rest.
          delta.bytes = totals.bytes - before.bytes;
          delta.entries = totals.entries - before.entries;
          delta.evictions = totals.evictions - before.evictions;
        }
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #undo(delta: TotalsDelta): void {
    this.#totals.bytes -= delta.bytes;
    this.#totals.entries -= delta.entries;
    this.#totals.evictions -= delta.evictions;
  }
}

/**
 * lmdb-js rejects every write of a failed commit with a generic "Commit failed" error whose
 * `commitError` promise rejects with the cause. Reading it here also marks that promise
 * handled: left alone, its rejection would be unhandled and end the process.
 */
async function causeOf(error: unknown): Promise<unknown> {
  const commitError = (error as { commitError?: unknown } | null)?.commitError;
  if (!(commitError instanceof Promise)) return error;
  return commitError.then(() => error, (cause: unknown) => cause);
}
