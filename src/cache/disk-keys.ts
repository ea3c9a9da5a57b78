/**
 * Key layout of the disk store. LMDB keys are limited to 1978 bytes, but cache keys, URLs and
 * tags are not, so:
 *  - an entry is identified by a fixed-width id: hash(primary key) + hash(variant key). A
 *    "variants" record under hash(primary key) lists the variant hashes, so `get` is a few
 *    point reads (an LMDB range scan costs ~5x a point read in lmdb-js).
 *    The full key is kept in the stored metadata and compared on read; a hash collision (128
 *    bits) can therefore only make two variants overwrite each other, never serve a wrong key.
 *  - index keys (URL, tag) are the UTF-8 bytes of `clip(text) \0 id`, with the full text as the
 *    value. LMDB compares keys bytewise, so every key starting with a prefix is one contiguous
 *    range; clipping keeps long URLs within the key limit and the stored full text settles the
 *    match. They are raw bytes, not lmdb's ordered-binary strings, because ordered-binary
 *    reads a string containing \0 back as an array.
 */
import { hash } from 'node:crypto';

/** 22 base64url characters = 132 bits of SHA-256. */
export const HASH_CHARS = 22;
export const ENTRY_ID_LENGTH = HASH_CHARS * 2;
/** Characters of indexed text kept in an index key: ≤ 1,600 UTF-8 bytes, under LMDB's limit. */
const INDEX_TEXT_CHARS = 400;
const SEPARATOR = '\u0000';

/** Key of a primary key's variants record, and the first half of each of its entry ids. */
export function primaryHash(key: string): string {
  return hash('sha256', key, 'base64url').slice(0, HASH_CHARS);
}

export function entryId(key: string, variantKey: string): string {
  return primaryHash(key) + primaryHash(variantKey);
}

/** The variants-record key and the variant hash of an entry id. */
export function splitEntryId(id: string): { readonly primary: string; readonly variant: string } {
  return { primary: id.slice(0, HASH_CHARS), variant: id.slice(HASH_CHARS) };
}

function clip(text: string): string {
  return text.length > INDEX_TEXT_CHARS ? text.slice(0, INDEX_TEXT_CHARS) : text;
}

export function indexKey(text: string, id: string): Buffer {
  return Buffer.from(clip(text) + SEPARATOR + id, 'utf8');
}

export function idOfIndexKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1', key.byteLength - ENTRY_ID_LENGTH);
}

/** Index keys for exactly `text` (plus clipped look-alikes, which the stored value tells apart). */
export function exactIndexRange(text: string): { start: Buffer; end: Buffer } {
  const clipped = clip(text);
  return { start: Buffer.from(clipped + SEPARATOR, 'utf8'), end: Buffer.from(clipped + '\u0001', 'utf8') };
}

/** Where a prefix scan starts; the scan ends at the first key without these leading bytes. */
export function prefixIndexStart(prefix: string): Buffer {
  return Buffer.from(clip(prefix), 'utf8');
}

export function startsWithBytes(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.byteLength >= prefix.byteLength && Buffer.compare(key.subarray(0, prefix.byteLength), prefix) === 0;
}
