/**
 * The variants record of a primary key: the variant hashes of its stored entries, concatenated
 * (fixed width, so no separator). It turns `get` into point reads instead of a range scan.
 * Written only inside the transaction that adds or removes the entry, so it cannot drift from
 * the meta database; a listed id without metadata is skipped by readers.
 */
import type { DiskDbs } from './disk-db.ts';
import { HASH_CHARS, primaryHash, splitEntryId } from './disk-keys.ts';

/** Entry ids of every stored variant of `key`, in no particular order. */
export function variantIds(dbs: DiskDbs, key: string): string[] {
  const primary = primaryHash(key);
  const list = dbs.variants.get(primary);
  if (list === undefined) return [];
  const ids: string[] = [];
  for (let i = 0; i + HASH_CHARS <= list.length; i += HASH_CHARS) ids.push(primary + list.slice(i, i + HASH_CHARS));
  return ids;
}

export function addVariant(dbs: DiskDbs, id: string): void {
  const { primary, variant } = splitEntryId(id);
  const list = dbs.variants.get(primary) ?? '';
  if (indexOfVariant(list, variant) < 0) dbs.variants.put(primary, list + variant);
}

export function removeVariant(dbs: DiskDbs, id: string): void {
  const { primary, variant } = splitEntryId(id);
  const list = dbs.variants.get(primary);
  const at = list === undefined ? -1 : indexOfVariant(list, variant);
  if (list === undefined || at < 0) return;
  const rest = list.slice(0, at) + list.slice(at + HASH_CHARS);
  if (rest === '') dbs.variants.remove(primary);
  else dbs.variants.put(primary, rest);
}

/** Position of a variant hash at a chunk boundary (a plain indexOf could match across two). */
function indexOfVariant(list: string, variant: string): number {
  for (let i = 0; i + HASH_CHARS <= list.length; i += HASH_CHARS) {
    if (list.startsWith(variant, i)) return i;
  }
  return -1;
}
