/**
 * Hit-for-miss (Varnish's name for it): a key whose last response could not be stored is
 * remembered for a while, and its requests then fill on their own instead of collapsing onto one
 * origin fetch. Collapsing only pays when the answer can be shared; for an uncacheable URL (an
 * API answering `no-store`) every waiter would wait a whole round trip for an answer it may not
 * use and then fetch again. A storable response ends the memory at once, so a URL that becomes
 * cacheable is cached from its next response on.
 *
 * Bounded by entries (oldest first out); a per-node structure in PipelineDeps, never module state.
 */
export class UncacheableMemory {
  readonly #until = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** Whether `key`'s last response (within the TTL) could not be stored. */
  has(key: string, now: number): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(key);
    return false;
  }

  remember(key: string, now: number): void {
    this.#until.delete(key);
    this.#until.set(key, now + this.#ttlMs);
    if (this.#until.size > this.#maxEntries) this.#until.delete(this.#until.keys().next().value!);
  }

  forget(key: string): void {
    this.#until.delete(key);
  }

  get size(): number {
    return this.#until.size;
  }
}
