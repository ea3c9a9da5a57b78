/**
 * A multi-value, case-insensitive header collection used wherever headers are edited (hooks,
 * revalidation merges). Names are stored lowercase; values keep their order.
 */
export class HeaderMap {
  readonly #fields = new Map<string, string[]>();

  static fromPairs(pairs: Iterable<readonly [string, string]>): HeaderMap {
    const map = new HeaderMap();
    for (const [name, value] of pairs) map.append(name, value);
    return map;
  }

  /** From Node's rawHeaders ([name, value, name, value, ...]). */
  static fromRaw(raw: readonly string[]): HeaderMap {
    const map = new HeaderMap();
    for (let i = 0; i + 1 < raw.length; i += 2) map.append(raw[i]!, raw[i + 1]!);
    return map;
  }

  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }

  /** All values of a field joined with ", " (the list form), or undefined when absent. */
  get(name: string): string | undefined {
    const values = this.#fields.get(name.toLowerCase());
    return values === undefined ? undefined : values.join(', ');
  }

  getAll(name: string): readonly string[] {
    return this.#fields.get(name.toLowerCase()) ?? [];
  }

  set(name: string, value: string): void {
    this.#fields.set(name.toLowerCase(), [value]);
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const values = this.#fields.get(key);
    if (values === undefined) this.#fields.set(key, [value]);
    else values.push(value);
  }

  delete(name: string): boolean {
    return this.#fields.delete(name.toLowerCase());
  }

  names(): IterableIterator<string> {
    return this.#fields.keys();
  }

  get size(): number {
    return this.#fields.size;
  }

  /** Calls `visit` once per value, in insertion order (no iterator objects: per-request paths use it). */
  forEach(visit: (name: string, value: string) => void): void {
    for (const [name, values] of this.#fields) for (let i = 0; i < values.length; i++) visit(name, values[i]!);
  }

  /** One pair per value, in insertion order. */
  *pairs(): IterableIterator<[string, string]> {
    for (const [name, values] of this.#fields) for (const value of values) yield [name, value];
  }

  toPairs(): [string, string][] {
    return [...this.pairs()];
  }

  /** Node's OutgoingHttpHeaders shape (multi-value fields as arrays). */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, values] of this.#fields) out[name] = values.length === 1 ? values[0]! : [...values];
    return out;
  }

  clone(): HeaderMap {
    const copy = new HeaderMap();
    for (const [name, values] of this.#fields) copy.#fields.set(name, [...values]);
    return copy;
  }
}
