/**
 * delta-seconds (RFC 9111 §1.2.2): a non-negative integer number of seconds. Shared by the
 * Cache-Control parser and the Age header so both clamp and reject the same way.
 */

/** RFC 9111 §1.2.2: a value too large to represent is treated as 2^31. */
export const DELTA_SECONDS_MAX = 2_147_483_648;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Parses `value.slice(start, end)` as delta-seconds without allocating the slice.
 * Returns undefined for anything but 1*DIGIT (signs, decimals, spaces, empty), and clamps to 2^31.
 */
export function parseDeltaSeconds(value: string, start = 0, end = value.length): number | undefined {
  if (start >= end) return undefined;
  let result = 0;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    // Keep scanning after the clamp so trailing garbage still makes the value invalid.
    if (result < DELTA_SECONDS_MAX) result = result * 10 + (c - DIGIT_0);
  }
  return result > DELTA_SECONDS_MAX ? DELTA_SECONDS_MAX : result;
}
