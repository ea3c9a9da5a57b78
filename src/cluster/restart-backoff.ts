/**
 * When a crashed worker is replaced. A worker that crashes now and then (after running a while)
 * is replaced at once; one that keeps crashing soon after it starts — a bad deploy, a full disk,
 * a hook that kills its process — is replaced after a delay that doubles each time, so a crash
 * loop costs the machine little and the log shows it plainly, instead of a fork storm.
 */
export interface BackoffPolicy {
  /** Delay after the first quick crash; doubled for each further one. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** A worker that lived this long before crashing resets the count: its crash was not a loop. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 30_000, stableMs: 30_000 };

export interface RestartPlan {
  /** Quick crashes in a row in this slot, this one included (0 after a stable run). */
  readonly quickCrashes: number;
  readonly delayMs: number;
}

/** `previousQuickCrashes`: the slot's count before this crash; `livedMs`: how long the crashed worker ran. */
export function planRestart(previousQuickCrashes: number, livedMs: number, policy: BackoffPolicy = DEFAULT_BACKOFF): RestartPlan {
  if (livedMs >= policy.stableMs) return { quickCrashes: 0, delayMs: 0 };
  const quickCrashes = previousQuickCrashes + 1;
  return { quickCrashes, delayMs: Math.min(policy.maxMs, policy.baseMs * 2 ** (quickCrashes - 1)) };
}
