import { describe, expect, it } from 'vitest';
import { parseAge } from '../../../src/http/age.ts';

describe('parseAge (RFC 9111 §5.1)', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['0', 0],
    ['60', 60],
    [' 60 ', 60],
    ['\t60', 60],
    // A list (or several field lines, joined by the lookup) counts by its first member.
    ['0, 7200', 0],
    ['7200, 0', 7200],
    ['7200,0', 7200],
    ['3600, 3600', 3600],
    [' 5 ,abc', 5],
    // Invalid after taking the first member: ignored.
    ['', undefined],
    [' ', undefined],
    [',5', undefined],
    ['abc', undefined],
    ['-7200', undefined],
    ['+5', undefined],
    ['7200.0', undefined],
    ['1.5', undefined],
    ['7200;foo=bar', undefined],
    ['7200;foo=111', undefined],
    ['1 2', undefined],
    ['abc, 0', undefined],
    // delta-seconds too large to represent are 2^31 (RFC 9111 §1.2.2), still valid.
    ['2147483647', 2_147_483_647],
    ['2147483648', 2_147_483_648],
    ['99999999999999', 2_147_483_648],
  ])('%j → %j', (value, expected) => {
    expect(parseAge(value)).toBe(expected);
  });
});
