/**
 * The disk store's writes, in call order. Each write is an LMDB transaction callback (lmdb-js
 * runs them in order and commits them in batches); when one has committed, the pending ops it
 * covered are settled. A write never rejects to its caller: the cache tier degrades to misses
 * instead of failing requests.
 *
 * A write can fail two ways: its callback throws, or the commit of its batch fails (a full or
 * failing disk: lmdb reports an I/O error). Either way none of its changes reach the disk — the
 * running totals included, since they live in the database (disk-totals.ts) — and the store's
 * observer is told so it can pause, retry and log. Each callback runs as a child transaction, so
 * one that throws midway leaves no half-written entry in the batch the others commit.
 */
import type { DiskDbs } from './disk-db.ts';
import type { PendingWrites } from './disk-pending.ts';
import { withTotals, type DiskTotals } from './disk-totals.ts';

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

/** Told of every write's outcome. */
export interface WriteObserver {
  committed(kind: WriteKind): void;
  failed(failure: WriteFailure): void;
}

export class DiskWriteQueue {
  readonly #dbs: DiskDbs;
  readonly #pending: PendingWrites;
  readonly #observer: WriteObserver;
  readonly #inflight = new Set<Promise<boolean>>();
  /** The latest write's outcome: lmdb-js commits in call order, so no earlier write commits after it. */
  #last: Promise<boolean> = Promise.resolve(true);

  constructor(dbs: DiskDbs, pending: PendingWrites, observer: WriteObserver) {
    this.#dbs = dbs;
    this.#pending = pending;
    this.#observer = observer;
  }

  /**
   * Queues `action` in a write transaction, handing it the store's totals as that transaction
   * sees them. Resolves true once it committed, false when it failed; never rejects.
   */
  enqueue(kind: WriteKind, action: (totals: DiskTotals) => void, settlements: readonly Settlement[]): Promise<boolean> {
    const done = this.#commit(action).then(
      () => {
        // Make the commit visible to this process's reads before lifting the overlay over it.
        this.#dbs.root.resetReadTxn();
        this.#observer.committed(kind);
        return true;
      },
      async (error: unknown) => {
        this.#observer.failed({ kind, error: await causeOf(error), settlements });
        return false;
      },
    ).then((committed) => {
      if (committed || kind !== 'remove') for (const [id, ticket] of settlements) this.#pending.settle(id, ticket);
      this.#inflight.delete(done);
      return committed;
    });
    this.#inflight.add(done);
    this.#last = done;
    return done;
  }

  /**
   * Resolves once the writes queued so far have committed (or failed): what they wrote is then
   * visible to every process. O(1), unlike flush(): it is called once per stored fill.
   */
  async written(): Promise<void> {
    await this.#last;
  }

  /** Resolves once every write queued so far, and any queued meanwhile, has committed or failed. */
  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /** Runs `action` as a child transaction on the totals it reads and writes back. */
  #commit(action: (totals: DiskTotals) => void): Promise<unknown> {
    try {
      return this.#dbs.root.childTransaction(() => withTotals(this.#dbs, action));
    } catch (error) {
      return Promise.reject(error);
    }
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
