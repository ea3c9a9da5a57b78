/**
 * What each fleet purge removed on this node, for the POST /purge that published it: the answer
 * waits for this node to apply its own entry. A bounded memory of recent results covers an entry
 * applied before its publisher began waiting (the reader may see it before XADD's reply arrives).
 */

/** Results kept for publishers that ask after their entry was applied. */
const RECENT_RESULTS = 256;

export interface PurgeResults {
  /** This node applied purge `id`, removing `purged` objects. */
  applied(id: string, purged: number): void;
  /** How many objects purge `id` removed here, once applied; null if not within `timeoutMs`. */
  wait(id: string, timeoutMs: number): Promise<number | null>;
}

export function createPurgeResults(): PurgeResults {
  const recent = new Map<string, number>();
  const waiters = new Map<string, (purged: number) => void>();
  return {
    applied(id, purged) {
      recent.set(id, purged);
      if (recent.size > RECENT_RESULTS) recent.delete(recent.keys().next().value!);
      waiters.get(id)?.(purged);
    },
    async wait(id, timeoutMs) {
      const known = recent.get(id);
      if (known !== undefined) return known;
      const purged = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        waiters.set(id, (n) => {
          clearTimeout(timer);
          resolve(n);
        });
      });
      waiters.delete(id);
      return purged;
    },
  };
}
