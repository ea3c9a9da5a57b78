/**
 * Stable codes on the log lines of fleet coordination (src/fleet), so alerts can match on them
 * across versions. Not HTTP errors (no client sees them), hence not in the error catalog.
 */
export const FLEET_LOG_CODES = {
  /** Redis could not be reached (or the connection dropped); the node retries and catches up. */
  unreachable: 'EH_FLEET_UNREACHABLE',
  /** Reading the stream or applying an entry failed (Redis gone, a worker not answering): retried. */
  retrying: 'EH_FLEET_RETRYING',
  /** Reading the stream again after an outage. */
  reconnected: 'EH_FLEET_RECONNECTED',
  /** Entries after this node's last applied one were trimmed before it read them: its cache is dropped. */
  gap: 'EH_FLEET_GAP',
  /** A deploy or rollback was applied. */
  deployed: 'EH_FLEET_DEPLOYED',
  /** A deploy or rollback was refused by this node (bad module, unknown hook): the old hook keeps serving. */
  deployRefused: 'EH_FLEET_DEPLOY_REFUSED',
  /** An entry this version cannot read (a newer publisher?): skipped. */
  badEntry: 'EH_FLEET_BAD_ENTRY',
} as const;
