/**
 * Content-Range of a 206 (RFC 9110 §14.4): `bytes first-last/complete-length`. What a cache that
 * stores ranges needs from it is one satisfied byte range of a representation whose complete
 * length is known, so only that form parses: an unknown length (`/*`), an unsatisfied range
 * (`*` + `/length`, sent with a 416), another unit, or a range that is not inside the length
 * (RFC 9110 §14.4: such a field is invalid) all give undefined.
 */

export interface ContentRange {
  /** First and last byte positions, inclusive, as in the field. */
  readonly start: number;
  readonly end: number;
  /** The complete length of the representation. */
  readonly size: number;
}

// The unit is case-insensitive (RFC 9110 §14.1); numbers are 1*DIGIT; no whitespace inside.
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/i;

export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (value === undefined) return undefined;
  const match = CONTENT_RANGE.exec(value.trim());
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const size = Number(match[3]);
  // Beyond 2^53 a position cannot be addressed (nor compared exactly): refused, not rounded.
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(size)) return undefined;
  if (end < start || end >= size) return undefined;
  return { start, end, size };
}
