import { describe, expect, it } from 'vitest';
import { formatHttpDate, parseHttpDate } from '../../../src/http/http-date.ts';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('parseHttpDate', () => {
  it.each<[string, string, number]>([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['IMF-fixdate with surrounding whitespace', '  Sun, 06 Nov 1994 08:49:37 GMT ', NOV_6_1994],
    ['IMF-fixdate, lowercase names', 'sun, 06 nov 1994 08:49:37 GMT', NOV_6_1994],
    ['IMF-fixdate, zone in any case (RFC 9111 §4.2)', 'Sun, 06 Nov 1994 08:49:37 gMT', NOV_6_1994],
    ['RFC 850, zone in any case', 'Sunday, 06-Nov-94 08:49:37 gmt', NOV_6_1994],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['asctime', 'Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['asctime, two-digit day', 'Wed Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
    ['leap day', 'Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 29)],
    ['epoch', 'Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['leap second rolls over', 'Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2017, 0, 1)],
  ])('parses %s', (_label, value, expected) => {
    expect(parseHttpDate(value)).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['undefined', undefined],
    ['empty', ''],
    ['zero (common bogus Expires)', '0'],
    ['negative number', '-1'],
    ['garbage', 'not a date'],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['31 February', 'Thu, 31 Feb 1994 08:49:37 GMT'],
    ['29 February in a non-leap century', 'Thu, 29 Feb 1900 00:00:00 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['zone other than GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['unknown weekday', 'Xyz, 06 Nov 1994 08:49:37 GMT'],
    ['unknown month', 'Sun, 06 Foo 1994 08:49:37 GMT'],
    ['non-digit day', 'Sun, 0x Nov 1994 08:49:37 GMT'],
    ['two combined field lines', 'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT'],
    ['RFC 850 with short weekday', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['asctime without padding space', 'Sun Nov 6 08:49:37 1994'],
  ])('rejects %s', (_label, value) => {
    expect(parseHttpDate(value)).toBeUndefined();
  });

  it.each<[string, number, number]>([
    // RFC 9110 §5.6.7: a year more than 50 years ahead of now means the previous century.
    ['94 seen from 2025 is 1994', Date.UTC(2025, 0, 1), Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['70 seen from 2025 is 2070', Date.UTC(2025, 0, 1), Date.UTC(2070, 10, 6, 8, 49, 37)],
    ['70 seen from 1990 is 1970', Date.UTC(1990, 0, 1), Date.UTC(1970, 10, 6, 8, 49, 37)],
  ])('RFC 850 two-digit year: %s', (label, now, expected) => {
    const yy = label.slice(0, 2);
    expect(parseHttpDate(`Sunday, 06-Nov-${yy} 08:49:37 GMT`, now)).toBe(expected);
  });

  it('pivots two-digit years on 2000 when no clock is given', () => {
    expect(parseHttpDate('Saturday, 06-Nov-49 08:49:37 GMT')).toBe(Date.UTC(2049, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Monday, 06-Nov-50 08:49:37 GMT')).toBe(Date.UTC(1950, 10, 6, 8, 49, 37));
  });
});

describe('formatHttpDate', () => {
  it.each<[number, string]>([
    [NOV_6_1994, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [NOV_6_1994 + 999, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [0, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [Date.UTC(2038, 0, 19, 3, 14, 8), 'Tue, 19 Jan 2038 03:14:08 GMT'],
  ])('formats %d as IMF-fixdate', (ms, expected) => {
    expect(formatHttpDate(ms)).toBe(expected);
    expect(parseHttpDate(formatHttpDate(ms))).toBe(Math.floor(ms / 1000) * 1000);
  });

  it.each([NaN, Infinity])('throws on %d', (ms) => {
    expect(() => formatHttpDate(ms)).toThrow(RangeError);
  });
});
