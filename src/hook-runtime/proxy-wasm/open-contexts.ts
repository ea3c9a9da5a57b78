/**
 * Stream contexts a filter instance keeps open from on-request to its response phase, so a filter
 * finds in its response callbacks what its request callbacks left in the context (as in Envoy,
 * where one stream context spans both). Keyed weakly by the pipeline's request state (the same
 * object reaches every phase of a request); bounded, because a request may never reach the response
 * phase (a hit skips on-origin-response): past the bound the oldest is handed back to be finalised.
 */
export const OPEN_CONTEXTS_MAX = 256;

export class OpenContexts {
  readonly #byRequest = new WeakMap<object, number>();
  /** Open context ids, oldest first (a Set keeps insertion order). */
  readonly #open = new Set<number>();
  readonly #max: number;

  constructor(max = OPEN_CONTEXTS_MAX) {
    this.#max = max;
  }

  get size(): number {
    return this.#open.size;
  }

  /** The context `request` left open, removed from the set; undefined when there is none (or it was evicted). */
  take(request: object): number | undefined {
    const id = this.#byRequest.get(request);
    if (id === undefined) return undefined;
    this.#byRequest.delete(request);
    return this.#open.delete(id) ? id : undefined;
  }

  /** Keeps `id` open for `request`; returns the id of the oldest context when the bound is crossed. */
  keep(request: object, id: number): number | undefined {
    this.#byRequest.set(request, id);
    this.#open.add(id);
    if (this.#open.size <= this.#max) return undefined;
    const oldest = this.#open.values().next().value!;
    this.#open.delete(oldest);
    return oldest;
  }

  /** Every open id, oldest first, and forgets them (the instance is going away). */
  drain(): number[] {
    const ids = [...this.#open];
    this.#open.clear();
    return ids;
  }
}
