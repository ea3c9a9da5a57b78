/**
 * The disk store's writes, in call order. Each write is an LMDB transaction callback (lmdb-js
 * runs them in order and commits them in batches after the current event turn); when one has
 * committed, the pending ops it covered are settled. A failed write is logged, never thrown:
 * the cache tier degrades to misses instead of failing requests.
 */
import type { Logger } from '../log.ts';
import { CACHE_LOG_CODES } from './cache-log-codes.ts';
import type { DiskDbs } from './disk-db.ts';
import type { PendingWrites } from './disk-pending.ts';

export type Settlement = readonly [id: string, ticket: number];

export class DiskWriteQueue {
  readonly #dbs: DiskDbs;
  readonly #pending: PendingWrites;
  readonly #logger: Logger;
  readonly #inflight = new Set<Promise<void>>();

  constructor(dbs: DiskDbs, pending: PendingWrites, logger: Logger) {
    this.#dbs = dbs;
    this.#pending = pending;
    this.#logger = logger;
  }

  /** Queues `action` in a write transaction; settles `settlements` and runs `after` once committed. */
  enqueue(action: () => void, settlements: readonly Settlement[], after?: () => void): void {
    const done: Promise<void> = this.#dbs.root.transaction(action).then(
      () => undefined,
      (error: unknown) => this.#logger.error('disk cache write failed', { code: CACHE_LOG_CODES.writeFailed, error }),
    ).finally(() => {
      // Make the commit visible to this process's reads before lifting the overlay over it.
      this.#dbs.root.resetReadTxn();
      for (const [id, ticket] of settlements) this.#pending.settle(id, ticket);
      after?.();
      this.#inflight.delete(done);
    });
    this.#inflight.add(done);
  }

  /** Resolves once every write queued so far, and any queued meanwhile, has committed. */
  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}
