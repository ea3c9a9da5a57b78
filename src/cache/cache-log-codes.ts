/**
 * Stable codes on the cache tier's log lines, so alerts and dashboards can match on them
 * across versions. Not HTTP errors (a failing cache is a miss, never a client-facing error),
 * hence not in the error catalog.
 */
export const CACHE_LOG_CODES = {
  /** A stored entry failed its checksum or could not be read; it was deleted, not served. */
  corrupt: 'EH_CACHE_CORRUPT',
  /** At open, keys left pointing at missing or damaged entries were removed (or a missing order key restored). */
  repaired: 'EH_CACHE_REPAIRED',
  /** An object was not stored: larger than the store, or metadata not serializable. */
  refused: 'EH_CACHE_REFUSED',
  /** A write was dropped because too many body bytes were already waiting for disk commit. */
  backlog: 'EH_CACHE_WRITE_BACKLOG',
  /** Disk writes started failing (a full disk); storing on disk pauses until a retry commits. */
  writeFailed: 'EH_CACHE_WRITE_FAILED',
  /** Disk writes commit again after failing; storing on disk resumed. */
  writeRecovered: 'EH_CACHE_WRITE_RECOVERED',
} as const;
