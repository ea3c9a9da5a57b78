/**
 * Durations as people write them: a plain integer is milliseconds; otherwise one or more
 * number+unit parts ("500ms", "30s", "1m30s", "1.5h"), units ms, s, m, h, d.
 */

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(?:\.(\d+))?(ms|s|m|h|d)/g;
const MAX_MS = BigInt(Number.MAX_SAFE_INTEGER);

/** Returns whole milliseconds, or undefined when the input is not a duration. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  if (!WHOLE.test(text)) return undefined;
  // Exact decimal sum (total / scale ms), rounded once at the end, half up: float sums lose the
  // half millisecond that decides the rounding ("0.0005s2048.2h").
  let total = 0n;
  let scale = 1n;
  for (const [, whole = '', fraction = '', unit = ''] of text.matchAll(PART)) {
    const partScale = 10n ** BigInt(fraction.length);
    if (partScale > scale) {
      total *= partScale / scale;
      scale = partScale;
    }
    total += BigInt(whole + fraction) * BigInt(UNITS[unit] ?? 0) * (scale / partScale);
  }
  const ms = (2n * total + scale) / (2n * scale);
  return ms <= MAX_MS ? Number(ms) : undefined;
}

/** Formats milliseconds with the largest unit that divides them exactly ("30s", "1d", "250ms"). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
