/**
 * Properties of Range parsing (src/http/range.ts, RFC 9110 §14): it never throws, a satisfiable
 * range always lies within [0, size), and every answer agrees with a reference model that reads
 * the positions as BigInts, so digit strings beyond 2^53 are compared exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRange, type RangeResult } from '../../../src/http/range.ts';
import { mixedCase, ows, stringFrom } from './http-arbitraries.ts';

const RUNS = { numRuns: 2000 };

/** RFC 9110 §14.1.2 / §14.2, written for clarity rather than speed. */
function referenceRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined || !/^bytes=/i.test(header)) return { kind: 'none' };
  const members = header.slice('bytes='.length).split(',').map((m) => m.replace(/^[ \t]+|[ \t]+$/g, '')).filter((m) => m !== '');
  if (members.length === 0) return { kind: 'none' };
  const specs: { first: bigint | null; last: bigint | null }[] = [];
  for (const member of members) {
    const match = /^(\d*)-(\d*)$/.exec(member);
    if (match === null) return { kind: 'none' };
    const first = match[1] === '' ? null : BigInt(match[1]!);
    const last = match[2] === '' ? null : BigInt(match[2]!);
    if (first === null && last === null) return { kind: 'none' };
    if (first !== null && last !== null && last < first) return { kind: 'none' };
    specs.push({ first, last });
  }
  if (specs.length > 1) return { kind: 'multiple' };
  const { first, last } = specs[0]!;
  const n = BigInt(size);
  if (first === null) {
    if (last === 0n) return { kind: 'unsatisfiable' };
    if (n === 0n) return { kind: 'none' };
    return { kind: 'satisfiable', start: Number(last! >= n ? 0n : n - last!), end: size - 1 };
  }
  if (first >= n) return { kind: 'unsatisfiable' };
  return { kind: 'satisfiable', start: Number(first), end: Number(last === null || last >= n ? n - 1n : last) };
}

/** Positions as clients write them: small, near the size, with leading zeros, or past 2^53. */
const position = fc.oneof(
  { weight: 4, arbitrary: fc.nat(1200).map(String) },
  { weight: 1, arbitrary: fc.tuple(stringFrom('0', { minLength: 1, maxLength: 3 }), fc.nat(200)).map(([zeros, n]) => `${zeros}${n}`) },
  { weight: 1, arbitrary: stringFrom('0123456789', { minLength: 15, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

/** `first-last` with last just below, at or above first: order is what makes a spec valid. */
const nearlyOrdered = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 22n }), fc.bigInt({ min: -2n, max: 2n }))
  .map(([first, delta]) => `${first}-${first + delta < 0n ? 0n : first + delta}`);

const member = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(position, position).map(([first, last]) => `${first}-${last}`) },
  { weight: 2, arbitrary: nearlyOrdered },
  { weight: 1, arbitrary: fc.constantFrom('', 'x', '1-2-3', '-', '+1-2', '1 - 2', '0x1-2') },
);

const header = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: mixedCase('bytes=') }, { weight: 1, arbitrary: fc.constantFrom('items=', 'bytes ', 'bytes', '') }),
  fc.array(fc.tuple(ows, member, ows), { minLength: 1, maxLength: 3 }),
).map(([unit, members]) => unit + members.map(([before, m, after]) => before + m + after).join(','));

const size = fc.oneof({ weight: 4, arbitrary: fc.nat(1000) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER) });

describe('parseRange (property)', () => {
  it('agrees with a BigInt reference model of RFC 9110 §14', () => {
    fc.assert(fc.property(header, size, (value, n) => {
      expect(parseRange(value, n)).toEqual(referenceRange(value, n));
    }), RUNS);
  });

  it('never throws, and a satisfiable range is always within [0, size) and non-empty', () => {
    const anyHeader = fc.oneof(header, fc.string({ unit: 'binary', maxLength: 24 }), fc.string({ maxLength: 24 }).map((s) => `bytes=${s}`));
    fc.assert(fc.property(anyHeader, size, (value, n) => {
      const range = parseRange(value, n);
      if (range.kind !== 'satisfiable') return;
      expect(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)).toBe(true);
      expect(0 <= range.start && range.start <= range.end && range.end < n).toBe(true);
    }), RUNS);
  });

  it('slices exactly the bytes the client asked for: the last n of a suffix range, first..min(last, size-1) otherwise', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(80), fc.option(fc.nat(80)), fc.boolean(), (body, a, b, suffix) => {
      const spec = suffix ? `-${a}` : `${a}-${b ?? ''}`;
      const range = parseRange(`bytes=${spec}`, body.length);
      if (range.kind !== 'satisfiable') return;
      const slice = body.subarray(range.start, range.end + 1);
      expect(slice.length).toBe(range.end - range.start + 1);
      if (suffix) expect([...slice]).toEqual([...body.subarray(Math.max(0, body.length - a))]);
      else expect([...slice]).toEqual([...body.subarray(a, b === null ? undefined : b + 1)]);
    }), RUNS);
  });
});
