import { describe, expect, it } from 'vitest';
import { parseContentRange, type ContentRange } from '../../../src/http/content-range.ts';

describe('parseContentRange', () => {
  it.each<[string | undefined, ContentRange | undefined]>([
    ['bytes 0-1048575/268435456', { start: 0, end: 1_048_575, size: 268_435_456 }],
    ['bytes 10-10/11', { start: 10, end: 10, size: 11 }],
    ['Bytes 0-0/1', { start: 0, end: 0, size: 1 }],
    [' bytes 5-9/10 ', { start: 5, end: 9, size: 10 }],
    ['bytes 0-9007199254740990/9007199254740991', { start: 0, end: 9_007_199_254_740_990, size: 9_007_199_254_740_991 }],
    [undefined, undefined],
    ['', undefined],
    // Unknown complete length: a slice could not say where the object ends.
    ['bytes 0-9/*', undefined],
    // The unsatisfied-range form a 416 carries.
    ['bytes */100', undefined],
    ['items 0-9/100', undefined],
    ['bytes=0-9/100', undefined],
    ['bytes 0 - 9/100', undefined],
    ['bytes -1-9/100', undefined],
    ['bytes 0-9/100, bytes 10-19/100', undefined],
    // Invalid per RFC 9110 §14.4: last below first, or a range not inside the length.
    ['bytes 9-0/100', undefined],
    ['bytes 0-100/100', undefined],
    ['bytes 0-0/0', undefined],
    // Past 2^53 positions round: refused rather than misread.
    ['bytes 0-9/9007199254740993', undefined],
    ['bytes 9007199254740993-9007199254740994/9007199254740995', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseContentRange(value)).toEqual(expected);
  });
});
