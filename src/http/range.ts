/**
 * Range requests served from a complete stored body (RFC 9110 §14). Only a single byte range is
 * served as 206; several ranges are answered with the full 200 (allowed: a server MAY ignore
 * Range), which avoids multipart/byteranges and the overlapping-range amplification it invites.
 */
import { strongEtagEquals } from './conditional.ts';
import { parseHttpDate } from './http-date.ts';

export type RangeResult =
  | { kind: 'none' }
  | { kind: 'satisfiable'; start: number; end: number /* inclusive */ }
  | { kind: 'unsatisfiable' }
  | { kind: 'multiple' };

const NONE: RangeResult = Object.freeze({ kind: 'none' });
const UNSATISFIABLE: RangeResult = Object.freeze({ kind: 'unsatisfiable' });
const MULTIPLE: RangeResult = Object.freeze({ kind: 'multiple' });

const BYTES_PREFIX = 'bytes=';
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Interprets Range against a representation of `size` bytes:
 * - absent, another unit, or any syntactically invalid member (`bytes=5-2`, `bytes=x`) → none
 *   (RFC 9110 §14.2: an invalid Range is ignored);
 * - more than one range → multiple (the caller serves 200);
 * - `a-b` / `a-` with a ≥ size, and `-0` → unsatisfiable (416);
 * - `-n` on an empty body → none: the whole (empty) representation is the answer, a 200.
 * The unit name is case-insensitive (RFC 9110 §14.1); whitespace is allowed around members only.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined || header.length <= BYTES_PREFIX.length) return NONE;
  if (header.slice(0, BYTES_PREFIX.length).toLowerCase() !== BYTES_PREFIX) return NONE;
  const set = header.slice(BYTES_PREFIX.length);
  // Fast path: one member, no list syntax.
  if (!set.includes(',')) return resolveMember(set.trim(), size);
  let single: string | undefined;
  let count = 0;
  for (const part of set.split(',')) {
    const member = part.trim();
    if (member === '') continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    if (!isValidMember(member)) return NONE;
    single = member;
    count++;
  }
  if (single === undefined) return NONE;
  return count === 1 ? resolveMember(single, size) : MULTIPLE;
}

function isValidMember(member: string): boolean {
  const match = RANGE_SPEC.exec(member);
  return match !== null && isValidSpec(match[1]!, match[2]!);
}

function resolveMember(member: string, size: number): RangeResult {
  const match = RANGE_SPEC.exec(member);
  if (match === null) return NONE;
  return resolveSpec(match[1]!, match[2]!, size);
}

function isValidSpec(first: string, last: string): boolean {
  if (first === '') return last !== '';
  // Compared exactly: Number() rounds beyond 2^53, where a last-pos below first-pos would pass.
  return last === '' || BigInt(last) >= BigInt(first);
}

function resolveSpec(first: string, last: string, size: number): RangeResult {
  if (!isValidSpec(first, last)) return NONE;
  if (first === '') return resolveSuffix(Number(last), size);
  const start = Number(first);
  if (start >= size) return UNSATISFIABLE;
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'satisfiable', start, end };
}

/** `-n`: the last n bytes, or the whole representation when it is shorter. */
function resolveSuffix(length: number, size: number): RangeResult {
  if (length === 0) return UNSATISFIABLE;
  if (size === 0) return NONE;
  return { kind: 'satisfiable', start: Math.max(0, size - length), end: size - 1 };
}

/**
 * If-Range (RFC 9110 §13.1.5): true when the Range may be honoured. An entity-tag must strongly
 * match the stored ETag (a weak tag never does); an HTTP-date must equal Last-Modified exactly
 * (compared as instants, so equivalent date formats agree). An invalid value denies the range.
 */
export function ifRangeAllows(
  ifRange: string | undefined,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    return etag !== undefined && strongEtagEquals(value, etag);
  }
  const since = parseHttpDate(value);
  return since !== undefined && since === parseHttpDate(lastModified);
}
