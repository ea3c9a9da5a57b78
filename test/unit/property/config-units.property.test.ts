/**
 * Properties of the size and duration parsers behind every `s.bytes` and `s.duration` config key
 * (src/config/parse-bytes.ts, parse-duration.ts): a value means exactly the decimal number the
 * operator wrote (checked against BigInt arithmetic), parsing is monotonic, formatting
 * round-trips, and no input throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes } from '../../../src/config/parse-bytes.ts';
import { formatDuration, parseDuration } from '../../../src/config/parse-duration.ts';
import { mixedCase, stringFrom } from './http-arbitraries.ts';

const RUNS = { numRuns: 1000 };

const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  b: 1n, kb: 10n ** 3n, mb: 10n ** 6n, gb: 10n ** 9n, tb: 10n ** 12n,
  kib: 2n ** 10n, mib: 2n ** 20n, gib: 2n ** 30n, tib: 2n ** 40n,
};
const DURATION_UNITS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A decimal amount as written: digits, optionally a fraction; kept as text so nothing rounds. */
const amount = fc.tuple(
  fc.oneof(fc.nat(5000).map(String), stringFrom('0123456789', { minLength: 1, maxLength: 12 })),
  fc.option(stringFrom('0123456789', { minLength: 1, maxLength: 6 }), { nil: undefined }),
).map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));

/** amount × multiplier as an exact fraction: [numerator, denominator]. */
function exact(text: string, multiplier: bigint): [bigint, bigint] {
  const [whole = '', fraction = ''] = text.split('.');
  return [BigInt(whole + fraction) * multiplier, 10n ** BigInt(fraction.length)];
}

function referenceBytes(text: string, unit: string): number | undefined {
  const [n, d] = exact(text, BYTE_UNITS[unit.toLowerCase()]!);
  const bytes = n / d; // documented: rounded down to whole bytes
  return bytes > MAX_SAFE ? undefined : Number(bytes);
}

/** Σ parts in exact arithmetic, then rounded to the nearest millisecond (halves up, as Math.round). */
function referenceDuration(parts: readonly [string, string][]): number | undefined {
  const scale = 10n ** 6n;
  let total = 0n; // in units of 1/scale ms; amounts have at most 6 fraction digits
  for (const [text, unit] of parts) {
    const [n, d] = exact(text, DURATION_UNITS[unit]!);
    total += (n * scale) / d;
  }
  const ms = (2n * total + scale) / (2n * scale);
  return ms > MAX_SAFE ? undefined : Number(ms);
}

const byteUnit = fc.constantFrom(...Object.keys(BYTE_UNITS)).chain(mixedCase);
const durationUnit = fc.constantFrom(...Object.keys(DURATION_UNITS));

describe('parseBytes (property)', () => {
  it('is the exact decimal value written, rounded down to whole bytes', () => {
    fc.assert(fc.property(amount, byteUnit, fc.constantFrom('', ' '), (a, unit, space) => {
      expect(parseBytes(`${a}${space}${unit}`)).toBe(referenceBytes(a, unit));
    }), RUNS);
  });

  it('is monotonic in the amount, for every unit', () => {
    fc.assert(fc.property(amount, amount, byteUnit, (a, b, unit) => {
      const [x, y] = [parseBytes(`${a}${unit}`), parseBytes(`${b}${unit}`)];
      fc.pre(x !== undefined && y !== undefined);
      const [na, da] = exact(a, 1n);
      const [nb, db] = exact(b, 1n);
      if (na * db <= nb * da) expect(x!).toBeLessThanOrEqual(y!);
    }), RUNS);
  });

  it('round-trips what formatBytes writes, and never throws', () => {
    fc.assert(fc.property(fc.maxSafeNat(), fc.string({ unit: 'binary', maxLength: 12 }), (n, junk) => {
      expect(parseBytes(formatBytes(n))).toBe(n);
      expect(() => parseBytes(junk)).not.toThrow();
    }), RUNS);
  });
});

describe('parseDuration (property)', () => {
  const parts = fc.array(fc.tuple(amount, durationUnit), { minLength: 1, maxLength: 3 });

  it('is the exact sum of the parts written, rounded to the nearest millisecond', () => {
    fc.assert(fc.property(parts, (ps) => {
      expect(parseDuration(ps.map(([a, unit]) => a + unit).join(''))).toBe(referenceDuration(ps));
    }), RUNS);
  });

  it('is monotonic in each amount', () => {
    fc.assert(fc.property(amount, amount, durationUnit, (a, b, unit) => {
      const [x, y] = [parseDuration(`${a}${unit}`), parseDuration(`${b}${unit}`)];
      fc.pre(x !== undefined && y !== undefined);
      const [na, da] = exact(a, 1n);
      const [nb, db] = exact(b, 1n);
      if (na * db <= nb * da) expect(x!).toBeLessThanOrEqual(y!);
    }), RUNS);
  });

  it('round-trips what formatDuration writes, reads a bare integer as milliseconds, and never throws', () => {
    fc.assert(fc.property(fc.maxSafeNat(), fc.string({ unit: 'binary', maxLength: 12 }), (n, junk) => {
      expect(parseDuration(formatDuration(n))).toBe(n);
      expect(parseDuration(String(n))).toBe(n);
      expect(() => parseDuration(junk)).not.toThrow();
    }), RUNS);
  });
});
