/**
 * The Age response field (RFC 9111 §5.1): the sender's estimate, in delta-seconds, of how long ago
 * the response was generated or validated at the origin. Age is a singleton, but §5.1 says what a
 * cache does with a broken one: a list (or several field lines, which a lookup joins into a list)
 * counts by its first member, and a value that is then still invalid — negative, fractional,
 * non-numeric, parameterised — is ignored, as if no Age had been sent.
 */
import { parseDeltaSeconds } from './delta-seconds.ts';

const SP = 0x20;
const HTAB = 0x09;

/** Seconds from an Age field value; undefined when absent or invalid (the field is then ignored). */
export function parseAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let end = value.indexOf(',');
  if (end === -1) end = value.length;
  let start = 0;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  // parseDeltaSeconds clamps to 2^31 (RFC 9111 §1.2.2): a huge valid Age still means "stale".
  return parseDeltaSeconds(value, start, end);
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}
