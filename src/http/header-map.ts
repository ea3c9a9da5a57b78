/**
 * A multi-value, case-insensitive header collection used wherever headers are edited (hooks,
 * revalidation merges). Names are stored lowercase; values keep their order.
 *
 * Made from a request's raw headers or a response's pairs, the map is built only when something
 * needs it — an edit, an iteration. Until then reads scan the source (a handful of fields): a
 * hook phase that reads a header or two, or none, on every cache hit used to cost a Map and an
 * array per field for each phase, and turning the map back into pairs as much again
 * (docs/performance.md, "Hooks").
 */
export class HeaderMap {
  #fields: Map<string, string[]> | null;
  /** Flat [name, value, …] the map came from and still equals while #fields is null. */
  #source: readonly string[] | null = null;
  /** Pairs the map came from and still equals while #fields is null. */
  #sourcePairs: ReadonlyArray<readonly [string, string]> | null = null;
  /** Whether the source's names are all lowercase already (response pairs are). */
  #sourceLowercase = false;

  private constructor(fields: Map<string, string[]> | null) {
    this.#fields = fields;
  }

  static empty(): HeaderMap {
    return new HeaderMap(new Map());
  }

  static fromPairs(pairs: Iterable<readonly [string, string]>): HeaderMap {
    if (!Array.isArray(pairs)) {
      const map = HeaderMap.empty();
      for (const [name, value] of pairs) map.append(name, value);
      return map;
    }
    const map = new HeaderMap(null);
    map.#sourcePairs = pairs as ReadonlyArray<readonly [string, string]>;
    return map;
  }

  /** Pairs whose names are lowercase already (stored and outgoing responses): toPairs() can copy them as they are. */
  static fromLowercasePairs(pairs: ReadonlyArray<readonly [string, string]>): HeaderMap {
    const map = new HeaderMap(null);
    map.#sourcePairs = pairs;
    map.#sourceLowercase = true;
    return map;
  }

  /** From Node's rawHeaders ([name, value, name, value, ...]). */
  static fromRaw(raw: readonly string[]): HeaderMap {
    const map = new HeaderMap(null);
    map.#source = raw;
    return map;
  }

  has(name: string): boolean {
    if (this.#fields !== null) return this.#fields.has(name.toLowerCase());
    return this.#scan(name.toLowerCase(), null) !== undefined;
  }

  /** All values of a field joined with ", " (the list form), or undefined when absent. */
  get(name: string): string | undefined {
    if (this.#fields === null) return this.#scan(name.toLowerCase(), null);
    const values = this.#fields.get(name.toLowerCase());
    return values === undefined ? undefined : values.join(', ');
  }

  getAll(name: string): readonly string[] {
    if (this.#fields !== null) return this.#fields.get(name.toLowerCase()) ?? [];
    const all: string[] = [];
    this.#scan(name.toLowerCase(), all);
    return all;
  }

  set(name: string, value: string): void {
    this.#built().set(name.toLowerCase(), [value]);
  }

  append(name: string, value: string): void {
    const fields = this.#built();
    const key = name.toLowerCase();
    const values = fields.get(key);
    if (values === undefined) fields.set(key, [value]);
    else values.push(value);
  }

  delete(name: string): boolean {
    return this.#built().delete(name.toLowerCase());
  }

  names(): IterableIterator<string> {
    return this.#built().keys();
  }

  get size(): number {
    return this.#built().size;
  }

  /** Calls `visit` once per value, in insertion order (no iterator objects: per-request paths use it). */
  forEach(visit: (name: string, value: string) => void): void {
    for (const [name, values] of this.#built()) for (let i = 0; i < values.length; i++) visit(name, values[i]!);
  }

  /** One pair per value, in insertion order. */
  *pairs(): IterableIterator<[string, string]> {
    for (const [name, values] of this.#built()) for (const value of values) yield [name, value];
  }

  /** Lowercase pairs; untouched lowercase source pairs come back as a copy of the same pairs, in their order. */
  toPairs(): [string, string][] {
    if (this.#fields === null && this.#sourceLowercase && this.#sourcePairs !== null) {
      return this.#sourcePairs.slice() as [string, string][];
    }
    return [...this.pairs()];
  }

  /** Node's OutgoingHttpHeaders shape (multi-value fields as arrays). */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, values] of this.#built()) out[name] = values.length === 1 ? values[0]! : [...values];
    return out;
  }

  clone(): HeaderMap {
    const copy = new HeaderMap(null);
    if (this.#fields === null) {
      // Sources are never written to: the copy can share them until one of the two is edited.
      copy.#source = this.#source;
      copy.#sourcePairs = this.#sourcePairs;
      copy.#sourceLowercase = this.#sourceLowercase;
      return copy;
    }
    copy.#fields = new Map();
    for (const [name, values] of this.#fields) copy.#fields.set(name, [...values]);
    return copy;
  }

  #built(): Map<string, string[]> {
    if (this.#fields !== null) return this.#fields;
    const fields = new Map<string, string[]>();
    const add = (name: string, value: string): void => {
      const key = name.toLowerCase();
      const values = fields.get(key);
      if (values === undefined) fields.set(key, [value]);
      else values.push(value);
    };
    this.#eachSource(add);
    this.#fields = fields;
    this.#source = this.#sourcePairs = null;
    return fields;
  }

  #eachSource(visit: (name: string, value: string) => void): void {
    const raw = this.#source;
    if (raw !== null) for (let i = 0; i + 1 < raw.length; i += 2) visit(raw[i]!, raw[i + 1]!);
    const pairs = this.#sourcePairs;
    if (pairs !== null) for (let i = 0; i < pairs.length; i++) visit(pairs[i]![0], pairs[i]![1]);
  }

  /**
   * Reads `key` (lowercase) from the unbuilt source: its values joined with ", ", and each pushed
   * to `all` when given. Plain loops, no closure: hook phases call this on every cache hit.
   */
  #scan(key: string, all: string[] | null): string | undefined {
    let found: string | undefined;
    const raw = this.#source;
    if (raw !== null) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (!this.#sameName(raw[i]!, key)) continue;
        found = found === undefined ? raw[i + 1]! : `${found}, ${raw[i + 1]!}`;
        all?.push(raw[i + 1]!);
      }
    }
    const pairs = this.#sourcePairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i++) {
        const [name, value] = pairs[i]!;
        if (!this.#sameName(name, key)) continue;
        found = found === undefined ? value : `${found}, ${value}`;
        all?.push(value);
      }
    }
    return found;
  }

  #sameName(name: string, key: string): boolean {
    return name.length === key.length && (name === key || (!this.#sourceLowercase && name.toLowerCase() === key));
  }
}
