/**
 * Stable codes on the shield tier's log lines (src/origin/parent-tier.ts), so alerts can match
 * them across versions. Not HTTP errors: a failing parent is failed over, not shown to clients.
 */
export const UPSTREAM_LOG_CODES = {
  /** A parent left the pool: consecutive failures, or a failed health check. */
  ejected: 'EH_PARENT_EJECTED',
  /** An ejected parent is back: its ejection ran out, or a health check passed. */
  readmitted: 'EH_PARENT_READMITTED',
  /** A fetch a parent failed went on to the next parent or the origin. */
  failover: 'EH_PARENT_FAILOVER',
} as const;
