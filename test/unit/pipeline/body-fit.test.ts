/**
 * body-fit.ts: who sees a body by its size (hooks[].body.overflow), as one table. A route buffers
 * up to its largest bound; past it, any `error` reader refuses the body; within it, only `pass`
 * readers whose own bound the body exceeds are skipped.
 */
import { describe, expect, it } from 'vitest';
import { fitBody, refusesOverflow } from '../../../src/pipeline/body-fit.ts';
import type { BodyReaderHook } from '../../../src/pipeline/hook-seam.ts';

const reader = (name: string, maxBytes: number, overflow: 'error' | 'pass'): BodyReaderHook => ({ name, phases: ['on-origin-response'], maxBytes, overflow });
const strict = reader('strict', 1000, 'error');
const small = reader('small', 100, 'pass');
const large = reader('large', 1000, 'pass');

const CASES: ReadonlyArray<readonly [name: string, readers: readonly BodyReaderHook[] | undefined, length: number | null, expected: string[] | 'refuse']> = [
  ['no readers known, over the bound: refused (the rule before body.overflow)', undefined, null, 'refuse'],
  ['no readers known, within the bound: everyone runs', undefined, 50, []],
  ['an error reader, over the route bound: refused', [strict], null, 'refuse'],
  ['an error reader beside pass readers, over the route bound: refused', [strict, small], null, 'refuse'],
  ['only pass readers, over the route bound: all skipped', [small, large], null, ['small', 'large']],
  ['within every bound: nobody skipped', [small, large], 100, []],
  ['over the small pass bound only: that one skipped', [small, large], 101, ['small']],
  ['an error reader sees bodies up to the route bound, past its own', [reader('e', 10, 'error'), large], 500, []],
  ['an error reader and a smaller pass reader, within the route bound: the pass one skipped', [strict, small], 500, ['small']],
];

describe('fitBody', () => {
  it.each(CASES)('%s', (_name, readers, length, expected) => {
    const fit = fitBody(readers, length);
    expect(fit.tag === 'refuse' ? 'refuse' : fit.val.map((r) => r.name)).toEqual(expected);
  });
});

describe('refusesOverflow', () => {
  it('is true unless every reader passes', () => {
    expect(refusesOverflow(undefined)).toBe(true);
    expect(refusesOverflow([])).toBe(true);
    expect(refusesOverflow([small, strict])).toBe(true);
    expect(refusesOverflow([small, large])).toBe(false);
  });
});
