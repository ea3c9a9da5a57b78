/**
 * Slice arithmetic, as nginx's slice module lays an object out: slice N is the aligned byte range
 * N*size … (N+1)*size-1 (the last one shorter), fetched with that exact Range field and stored
 * under the object's key plus its index. Pure functions, so the layout is tested apart.
 */
import { globToRegExp } from '../hook-runtime/route-matcher.ts';
import type { SliceConfig } from '../config/types.ts';

export interface SlicePolicy {
  /** Bytes per slice. */
  readonly size: number;
  /** Whether objects at this (normalised) path are sliced. */
  covers(path: string): boolean;
}

export function createSlicePolicy(config: SliceConfig): SlicePolicy {
  const globs = config.paths.map(globToRegExp);
  return { size: config.size, covers: (path) => globs.some((glob) => glob.test(path)) };
}

/**
 * A slice's own cache key. The separator is a control character, which neither a request target
 * (server/request-guard.ts refuses them) nor a key part (hook edits are printable) can contain, so
 * no other request's key can spell a slice's. The size is part of it: after a change of
 * cache.slice.size a disk tier's old slices lie elsewhere in the object and are never read.
 */
export function sliceKey(objectKey: string, size: number, index: number): string {
  return `${objectKey}\u0001slice=${size}:${index}`;
}

/** The Range field that asks the origin for slice `index`. */
export function sliceRangeField(index: number, size: number): string {
  return `bytes=${index * size}-${(index + 1) * size - 1}`;
}

/** First and last byte (inclusive) of slice `index` of an object of `total` bytes. */
export function sliceBounds(index: number, size: number, total: number): { readonly start: number; readonly end: number } {
  return { start: index * size, end: Math.min((index + 1) * size, total) - 1 };
}

export function sliceCount(total: number, size: number): number {
  return Math.ceil(total / size);
}

/** The slice holding byte `offset`. */
export function sliceIndexOf(offset: number, size: number): number {
  return Math.floor(offset / size);
}

const FIRST_POSITION = /^bytes=\s*(\d+)-(\d*)\s*$/i;

/**
 * The slice to fetch first for a request: the one holding the start of a single `first-[last]`
 * range, else slice 0 (no Range, several ranges, a suffix range — whose start needs the total,
 * which slice 0 tells — or an invalid one). Like nginx's choice, except that If-Range does not
 * move it to 0: resuming a download (If-Range that matches) is the common case, and when it does
 * not match the full answer simply starts from slice 0 afterwards.
 */
export function firstSliceWanted(range: string | undefined, size: number): number {
  const match = range === undefined ? null : FIRST_POSITION.exec(range);
  if (match === null) return 0;
  const first = Number(match[1]);
  if (!Number.isSafeInteger(first) || (match[2] !== '' && Number(match[2]) < first)) return 0;
  return sliceIndexOf(first, size);
}
