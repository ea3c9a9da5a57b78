/**
 * Stable codes on the log lines of a node with workers, so alerts and dashboards can match on
 * them across versions. Not HTTP errors (no client sees them), hence not in the error catalog;
 * a refused config keeps the catalog's EH_CONFIG.
 */
export const CLUSTER_LOG_CODES = {
  /** A worker exited without being asked to (or a replacement did not start); it is replaced. */
  workerExited: 'EH_WORKER_EXITED',
  /** A worker threw past everything; it logged this and ended itself, and is replaced. */
  workerCrashed: 'EH_WORKER_CRASHED',
} as const;
