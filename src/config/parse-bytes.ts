/**
 * Sizes as people write them: a plain integer is bytes; a suffix picks the unit. Decimal units
 * (KB, MB, GB, TB) are powers of 1000 and binary units (KiB, MiB, GiB, TiB) powers of 1024, as
 * IEC 80000-13 defines them, so "1GB" and "1GiB" mean what they say. Units are case-insensitive.
 */

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

const SIZE = /^(\d+)(?:\.(\d+))?\s*([a-z]+)?$/i;
const MAX_BYTES = BigInt(Number.MAX_SAFE_INTEGER);

/** Returns the size in whole bytes, or undefined when the input is not a size. */
export function parseBytes(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  const match = SIZE.exec(input.trim());
  if (match === null) return undefined;
  const [, whole = '', fraction = '', unit = 'b'] = match;
  const multiplier = UNITS[unit.toLowerCase()];
  if (multiplier === undefined) return undefined;
  // Fractions are for convenience ("1.5GiB"); the result is rounded down to whole bytes. Computed
  // exactly: as floats, "4.1GB" is 4099999999.9999995 bytes and would floor to one byte short.
  const bytes = (BigInt(whole + fraction) * BigInt(multiplier)) / 10n ** BigInt(fraction.length);
  return bytes <= MAX_BYTES ? Number(bytes) : undefined;
}

/** Formats bytes with the largest binary unit that divides them exactly ("64MiB"), else in bytes ("1000B"). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
