/**
 * Request collapsing: concurrent misses (and revalidations) for one cache key share one origin
 * fetch. The first request leads; later ones wait on its outcome, bounded by maxWaiters (past the
 * bound a request simply fetches for itself). The entry stays while its shared body is still
 * replayable, so requests arriving mid-body join too.
 */
export interface CollapseGroup<T> {
  readonly outcome: Promise<T>;
  waiters: number;
}

export interface Collapser<T> {
  /** Joins the group for `key` or starts one with `start`; `leader` tells which happened. */
  run(key: string, start: () => Promise<T>): { outcome: Promise<T>; leader: boolean } | null;
  /** Ends the group early (its body stopped being replayable, or it failed). */
  release(key: string, outcome: Promise<T>): void;
  readonly size: number;
}

export function createCollapser<T>(maxWaiters: number, keepWhile: (value: T) => Promise<void>): Collapser<T> {
  const groups = new Map<string, CollapseGroup<T>>();
  const release = (key: string, outcome: Promise<T>): void => {
    if (groups.get(key)?.outcome === outcome) groups.delete(key);
  };
  return {
    get size() {
      return groups.size;
    },
    release,
    run(key, start) {
      const existing = groups.get(key);
      if (existing !== undefined) {
        if (existing.waiters >= maxWaiters) return null;
        existing.waiters++;
        return { outcome: existing.outcome, leader: false };
      }
      const outcome = start();
      groups.set(key, { outcome, waiters: 0 });
      outcome.then(
        (value) => keepWhile(value).finally(() => release(key, outcome)),
        () => release(key, outcome),
      );
      return { outcome, leader: true };
    },
  };
}
