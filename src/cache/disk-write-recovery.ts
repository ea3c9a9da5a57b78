/**
 * What the disk store does when its writes fail — in practice a full disk: lmdb-js grows its
 * map on demand, so LMDB's own MDB_MAP_FULL does not occur, but the filesystem can refuse to
 * grow the data file, which lmdb reports as an I/O error on commit. (The data file runs ~1.4x
 * the accounted bytes under churn: copy-on-write pages and pages kept for readers.)
 *
 * On the first failure the store pauses: puts are skipped (they would fail the same way, each
 * costing a transaction) and counted. If the failed write was growing the store, the disk holds
 * less than `max_bytes`, so the bound is lowered to 90% of what is stored; evicting down to it
 * frees pages inside the data file, which LMDB reuses instead of growing the file. After
 * `retryMs` a probe write evicts to the bound and retries the removals that were lost (purges
 * must land: until then the overlay keeps hiding their entries); when it commits, puts resume.
 * One log line when writes start failing and one when they recover, not one per lost object.
 * The lowered bound stays until restart: the log line says so, and the bound gauge shows it.
 */
import type { Logger } from '../log.ts';
import { CACHE_LOG_CODES } from './cache-log-codes.ts';
import type { Settlement, WriteFailure, WriteKind, WriteObserver } from './disk-write-queue.ts';

/** The disk bound as configured, and as lowered after the disk refused to grow. */
export interface DiskBound {
  readonly configured: number;
  current: number;
}

export interface WriteRecoveryOptions {
  readonly retryMs: number;
  readonly logger: Logger;
  readonly bound: DiskBound;
  /** Accounted bytes now (the totals, failed writes already rolled back). */
  readonly storedBytes: () => number;
  /**
   * Queues the probe: retry those of `removals` whose delete is still pending, evict to the
   * bound; resolves whether it committed.
   */
  readonly probe: (removals: readonly Settlement[]) => Promise<boolean>;
}

export interface WriteRecoveryStats {
  /** Writes that failed (their objects were not stored; removals were kept for a retry). */
  readonly writeFailures: number;
  /** Puts not attempted while writes were failing. */
  readonly skipped: number;
}

/** Share of the stored bytes the bound drops to when the disk refuses to grow. */
const LOWERED_SHARE = 0.9;

/**
 * healthy → (a write fails) → paused: puts skipped, a probe scheduled → (the probe commits) →
 * trial: puts run again → (one commits) → healthy; a failure in trial pauses again, unlogged.
 */
type State = 'healthy' | 'paused' | 'trial';

export class WriteRecovery implements WriteObserver {
  readonly #options: WriteRecoveryOptions;
  /** Removals that failed, by entry id, with the ticket of the pending delete hiding the entry. */
  readonly #removals = new Map<string, number>();
  #state: State = 'healthy';
  #closed = false;
  /** The bound is lowered once per failed attempt to store, not once per write in it. */
  #loweredSinceProbe = false;
  #timer: NodeJS.Timeout | undefined;
  #writeFailures = 0;
  #skipped = 0;
  #episode = { writeFailures: 0, skipped: 0 };

  constructor(options: WriteRecoveryOptions) {
    this.#options = options;
  }

  /** True while writes are failing and no probe has committed since: puts are skipped. */
  get paused(): boolean {
    return this.#state === 'paused';
  }

  /** Whether a removal of `id` failed and is owed to the disk. */
  owes(id: string): boolean {
    return this.#removals.has(id);
  }

  /** Records the ticket of the pending delete that now hides an owed removal. */
  owe(id: string, ticket: number): void {
    this.#removals.set(id, ticket);
  }

  skip(): void {
    this.#skipped += 1;
    this.#episode.skipped += 1;
  }

  committed(kind: WriteKind): void {
    if (kind === 'store' && this.#state === 'trial') this.#recover();
  }

  failed(failure: WriteFailure): void {
    this.#writeFailures += 1;
    this.#episode.writeFailures += 1;
    if (failure.kind === 'remove') for (const [id, ticket] of failure.settlements) this.#removals.set(id, ticket);
    if (failure.kind === 'store' && !this.#loweredSinceProbe) this.#lowerBound();
    if (this.#state === 'paused') return;
    if (this.#state === 'healthy') {
      this.#options.logger.error('disk cache write failed; storing on disk paused', {
        code: CACHE_LOG_CODES.writeFailed, error: failure.error, maxBytes: this.#options.bound.current, retryMs: this.#options.retryMs,
      });
    }
    this.#state = 'paused';
    this.#schedule();
  }

  stats(): WriteRecoveryStats {
    return { writeFailures: this.#writeFailures, skipped: this.#skipped };
  }

  /** Stops probing; returns the removals still owed to the disk, for a last attempt. */
  close(): Settlement[] {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const removals = [...this.#removals];
    this.#removals.clear();
    return removals;
  }

  #lowerBound(): void {
    const { bound } = this.#options;
    this.#loweredSinceProbe = true;
    bound.current = Math.min(bound.current, Math.floor(this.#options.storedBytes() * LOWERED_SHARE));
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => void this.#runProbe(), this.#options.retryMs);
    // A pending probe must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  async #runProbe(): Promise<void> {
    const removals = [...this.#removals];
    this.#removals.clear();
    const committed = await this.#options.probe(removals);
    this.#timer = undefined;
    if (!committed) return this.#schedule();
    this.#loweredSinceProbe = false;
    if (this.#state === 'paused') this.#state = 'trial';
  }

  #recover(): void {
    this.#state = 'healthy';
    const { bound } = this.#options;
    this.#options.logger.info('disk cache writes recovered; storing on disk resumed', {
      code: CACHE_LOG_CODES.writeRecovered, ...this.#episode, maxBytes: bound.current, configuredMaxBytes: bound.configured,
    });
    this.#episode = { writeFailures: 0, skipped: 0 };
  }
}
