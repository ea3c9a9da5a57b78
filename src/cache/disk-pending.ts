/**
 * Writes the disk store has accepted but LMDB has not committed yet. LMDB commits in batches
 * after the current event turn and reads only see committed data, but the CacheStore contract
 * is synchronous: a purge must hide its victims at once (else the tiered store would promote a
 * purged object straight back into memory), and a put followed by a get should find the object.
 * So reads consult this overlay first, by entry id, and an op is settled once its transaction
 * committed — unless a newer op on the same id replaced it meanwhile (tickets tell them apart).
 */
import type { CachedObject, CachedObjectMeta } from './types.ts';

export type PendingOp =
  /** `order` ranks pending puts for "most recently stored first"; a metadata update keeps it. */
  | { readonly kind: 'put'; readonly ticket: number; readonly order: number; readonly object: CachedObject }
  /** Metadata replaced on a committed entry; its body is still the committed one. */
  | { readonly kind: 'meta'; readonly ticket: number; readonly meta: CachedObjectMeta }
  | { readonly kind: 'delete'; readonly ticket: number };

export class PendingWrites {
  readonly #ops = new Map<string, PendingOp>();
  /** Primary key → ids with a pending put or meta op, so `get` need not scan every op. */
  readonly #idsByKey = new Map<string, Set<string>>();
  #nextTicket = 1;
  #bodyBytes = 0;

  get(id: string): PendingOp | undefined {
    return this.#ops.get(id);
  }

  /** Body bytes held only in memory until their commit (bounded by the disk store). */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }

  get size(): number {
    return this.#ops.size;
  }

  put(id: string, object: CachedObject, order?: number): number {
    const ticket = this.#replace(id, object.meta.key);
    this.#ops.set(id, { kind: 'put', ticket, order: order ?? ticket, object });
    this.#bodyBytes += object.body.byteLength;
    return ticket;
  }

  meta(id: string, meta: CachedObjectMeta): number {
    const ticket = this.#replace(id, meta.key);
    this.#ops.set(id, { kind: 'meta', ticket, meta });
    return ticket;
  }

  delete(id: string): number {
    const ticket = this.#replace(id, undefined);
    this.#ops.set(id, { kind: 'delete', ticket });
    return ticket;
  }

  /** Forgets the op once committed, unless a newer op on the same id superseded it. */
  settle(id: string, ticket: number): void {
    if (this.#ops.get(id)?.ticket !== ticket) return;
    this.#forget(id);
  }

  /** Pending puts of a primary key, most recently issued first. */
  putsForKey(key: string): Array<{ readonly id: string; readonly object: CachedObject }> {
    const found: Array<{ id: string; object: CachedObject; order: number }> = [];
    for (const id of this.#idsByKey.get(key) ?? []) {
      const op = this.#ops.get(id);
      if (op?.kind === 'put') found.push({ id, object: op.object, order: op.order });
    }
    return found.sort((a, b) => b.order - a.order);
  }

  /** Ids of every pending put or meta op of a primary key. */
  idsForKey(key: string): readonly string[] {
    return [...(this.#idsByKey.get(key) ?? [])];
  }

  /** Every pending op that carries metadata (for purges), as [id, meta]. */
  *metas(): Generator<readonly [string, CachedObjectMeta]> {
    for (const [id, op] of this.#ops) {
      if (op.kind === 'put') yield [id, op.object.meta];
      else if (op.kind === 'meta') yield [id, op.meta];
    }
  }

  #replace(id: string, key: string | undefined): number {
    this.#forget(id);
    if (key !== undefined) {
      const ids = this.#idsByKey.get(key);
      if (ids === undefined) this.#idsByKey.set(key, new Set([id]));
      else ids.add(id);
    }
    return this.#nextTicket++;
  }

  #forget(id: string): void {
    const op = this.#ops.get(id);
    if (op === undefined) return;
    this.#ops.delete(id);
    if (op.kind === 'delete') return;
    const meta = op.kind === 'put' ? op.object.meta : op.meta;
    if (op.kind === 'put') this.#bodyBytes -= op.object.body.byteLength;
    const ids = this.#idsByKey.get(meta.key);
    ids?.delete(id);
    if (ids?.size === 0) this.#idsByKey.delete(meta.key);
  }
}
