/**
 * What one cached object costs in memory, for the byte bound. Bodies are exact; metadata is an
 * estimate (JS strings are counted at one byte per character, the common Latin-1 case) plus
 * fixed per-structure overheads, so a cache of many tiny objects cannot blow past its budget
 * on metadata alone while reporting only body bytes.
 */
import type { CachedObject, CachedObjectMeta } from './types.ts';

/** Slot, group, Map entry, object and meta shells, the policy object. */
const OBJECT_OVERHEAD = 320;
/** A header pair: the tuple plus two string headers. */
const HEADER_OVERHEAD = 48;
/** A string in an array plus its membership in an index Set. */
const LISTED_STRING_OVERHEAD = 64;
/** An attribute whose value we do not walk (its shape belongs to whoever computed it). */
const ATTRIBUTE_ESTIMATE = 64;

export function estimateObjectSize(object: CachedObject): number {
  return object.body.byteLength + estimateMetaSize(object.meta);
}

export function estimateMetaSize(meta: CachedObjectMeta): number {
  let size = OBJECT_OVERHEAD + meta.key.length + meta.variantKey.length + meta.url.length;
  for (const [name, value] of meta.headers) size += HEADER_OVERHEAD + name.length + value.length;
  for (const tag of meta.tags) size += LISTED_STRING_OVERHEAD + tag.length;
  if (meta.varyNames !== null) {
    for (const name of meta.varyNames) size += LISTED_STRING_OVERHEAD + name.length;
  }
  if (meta.attributes !== undefined) size += Object.keys(meta.attributes).length * ATTRIBUTE_ESTIMATE;
  return size;
}
