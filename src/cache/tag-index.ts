/**
 * A string → set-of-members index (tag → entries, URL → entries). Kept exactly in step with the
 * store: every add has a matching remove on eviction, replacement and delete, and empty sets are
 * dropped so the index never outgrows the store.
 */
export class SetIndex<T> {
  readonly #sets = new Map<string, Set<T>>();

  add(name: string, member: T): void {
    const set = this.#sets.get(name);
    if (set === undefined) this.#sets.set(name, new Set([member]));
    else set.add(member);
  }

  remove(name: string, member: T): void {
    const set = this.#sets.get(name);
    if (set === undefined) return;
    set.delete(member);
    if (set.size === 0) this.#sets.delete(name);
  }

  /** A snapshot of the members under `name`, safe to iterate while removing them. */
  members(name: string): T[] {
    const set = this.#sets.get(name);
    return set === undefined ? [] : [...set];
  }

  /** Members under every name starting with `prefix`. Cost: O(distinct names), a full scan. */
  membersWithPrefix(prefix: string): T[] {
    const found: T[] = [];
    for (const [name, set] of this.#sets) {
      if (name.startsWith(prefix)) for (const member of set) found.push(member);
    }
    return found;
  }

  /** Number of distinct names (for tests and memory estimates). */
  get size(): number {
    return this.#sets.size;
  }

  clear(): void {
    this.#sets.clear();
  }
}
