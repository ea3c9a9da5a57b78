/**
 * The header edits of one hook call. Reads see the call's own edits (copy-on-write clone of the
 * base map on first edit); the base map is changed only by commit(), after the call succeeded,
 * so a hook that fails leaves the request and response untouched.
 */
import { HeaderMap } from '../http/header-map.ts';

type HeaderOp = readonly ['set' | 'append', string, string] | readonly ['remove', string];

export class PendingHeaders {
  readonly #base: HeaderMap;
  #view: HeaderMap | null = null;
  #ops: HeaderOp[] | undefined;

  constructor(base: HeaderMap) {
    this.#base = base;
  }

  get editCount(): number {
    return this.#ops?.length ?? 0;
  }

  #current(): HeaderMap {
    return this.#view ?? this.#base;
  }

  #edit(): HeaderMap {
    this.#view ??= this.#base.clone();
    return this.#view;
  }

  get(name: string): string | undefined {
    return this.#current().get(name);
  }

  getAll(name: string): readonly string[] {
    return this.#current().getAll(name);
  }

  names(): string[] {
    return [...this.#current().names()];
  }

  set(name: string, value: string): void {
    this.#edit().set(name, value);
    (this.#ops ??= []).push(['set', name, value]);
  }

  append(name: string, value: string): void {
    this.#edit().append(name, value);
    (this.#ops ??= []).push(['append', name, value]);
  }

  remove(name: string): void {
    this.#edit().delete(name);
    (this.#ops ??= []).push(['remove', name]);
  }

  /** Replays the validated edits on the base map. */
  commit(): void {
    if (this.#ops === undefined) return;
    for (const op of this.#ops) {
      if (op[0] === 'remove') this.#base.delete(op[1]);
      else if (op[0] === 'set') this.#base.set(op[1], op[2]);
      else this.#base.append(op[1], op[2]);
    }
  }
}
