import { describe, expect, it } from 'vitest';
import { parseCacheControl } from '../../../src/http/cache-control.ts';
import { currentAge, freshnessLifetime, type FreshnessOptions, type HeaderLookup } from '../../../src/http/freshness.ts';
import { formatHttpDate } from '../../../src/http/http-date.ts';

const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const date = (ms: number): string => formatHttpDate(ms);
const lookup = (fields: Record<string, string>): HeaderLookup => (name) => fields[name];

const OPTS: FreshnessOptions = { shared: true, heuristicFraction: 0.1, heuristicMaxSeconds: 86_400 };

describe('freshnessLifetime', () => {
  it.each<[string, number, string | undefined, Record<string, string>, Partial<FreshnessOptions>, number]>([
    ['s-maxage beats max-age in a shared cache', 200, 's-maxage=10, max-age=100', {}, {}, 10],
    ['max-age when not shared', 200, 's-maxage=10, max-age=100', {}, { shared: false }, 100],
    ['max-age beats Expires', 200, 'max-age=5', { date: date(T), expires: date(T + 3_600_000) }, {}, 5],
    ['max-age=0', 200, 'max-age=0', { 'last-modified': date(T - 10 * DAY), date: date(T) }, {}, 0],
    ['invalid max-age is stale', 200, 'max-age=soon', { date: date(T), expires: date(T + 3_600_000) }, {}, 0],
    ['Expires − Date', 200, undefined, { date: date(T), expires: date(T + 3_600_000) }, {}, 3600],
    ['Expires applies to a non-heuristic status', 500, undefined, { date: date(T), expires: date(T + 1500) }, {}, 1],
    ['Expires in the past', 200, undefined, { date: date(T), expires: date(T - 3_600_000) }, {}, 0],
    ['Expires equal to Date', 200, undefined, { date: date(T), expires: date(T) }, {}, 0],
    ['invalid Expires is already expired, no heuristic', 200, undefined,
      { date: date(T), expires: '0', 'last-modified': date(T - 10 * DAY) }, { defaultTtlSeconds: 300 }, 0],
    ['Expires without Date uses dateFallback', 200, undefined, { expires: date(T + 60_000) }, { dateFallback: T }, 60],
    ['Expires with an invalid Date uses dateFallback', 200, undefined,
      { date: 'yesterday', expires: date(T + 60_000) }, { dateFallback: T - 60_000 }, 120],
    ['Expires without Date or fallback', 200, undefined, { expires: date(T + 60_000) }, {}, 0],
    ['RFC 850 Expires: two-digit year read from Date (2025 + 25 years)', 200, undefined,
      { date: date(T), expires: 'Wednesday, 15-Jan-50 12:00:00 GMT' }, {}, Math.floor((Date.UTC(2050, 0, 15, 12) - T) / 1000)],
    ['RFC 850 Expires more than 50 years ahead is last century', 200, undefined,
      { date: date(T), expires: 'Tuesday, 15-Jan-80 12:00:00 GMT' }, {}, 0],
    ['heuristic: 10% of Date − Last-Modified', 200, undefined,
      { date: date(T), 'last-modified': date(T - 2 * 3_600_000) }, {}, 720],
    ['heuristic capped', 200, undefined, { date: date(T), 'last-modified': date(T - 100 * DAY) }, {}, 86_400],
    ['heuristic on 404', 404, undefined, { date: date(T), 'last-modified': date(T - 10_000_000) }, {}, 1000],
    ['heuristic uses dateFallback', 200, undefined, { 'last-modified': date(T - 10_000_000) }, { dateFallback: T }, 1000],
    ['heuristic with Last-Modified after Date', 200, undefined,
      { date: date(T), 'last-modified': date(T + 60_000) }, { defaultTtlSeconds: 300 }, 0],
    ['no heuristic for 302', 302, undefined, { date: date(T), 'last-modified': date(T - 10_000_000) }, {}, 0],
    ['public 302 gets the heuristic', 302, 'public', { date: date(T), 'last-modified': date(T - 10_000_000) }, {}, 1000],
    ['302 falls back to the default TTL', 302, undefined,
      { date: date(T), 'last-modified': date(T - 10_000_000) }, { defaultTtlSeconds: 300 }, 300],
    ['no Last-Modified: default TTL', 200, undefined, { date: date(T) }, { defaultTtlSeconds: 300 }, 300],
    ['invalid Last-Modified: default TTL', 200, undefined, { date: date(T), 'last-modified': 'x' }, { defaultTtlSeconds: 30 }, 30],
    ['nothing at all', 200, undefined, {}, {}, 0],
    ['no-cache does not change the lifetime', 200, 'no-cache, max-age=60', {}, {}, 60],
  ])('%s', (_label, status, cacheControl, fields, opts, expected) => {
    const cc = parseCacheControl(cacheControl);
    expect(freshnessLifetime(status, lookup(fields), cc, { ...OPTS, ...opts })).toBe(expected);
  });
});

describe('currentAge', () => {
  const timing = { requestTime: T, responseTime: T + 2000 };

  it.each<[string, Record<string, string>, { requestTime: number; responseTime: number }, number, number]>([
    ['fresh from origin: apparent age = response delay', { date: date(T) }, timing, T + 2000, 2],
    ['resident time is added', { date: date(T) }, timing, T + 62_000, 62],
    ['Age header larger than apparent age wins', { date: date(T), age: '100' }, timing, T + 2000, 102],
    ['apparent age larger than Age + delay wins', { date: date(T - 300_000), age: '10' }, timing, T + 2000, 302],
    ['Date missing: Age + delay + resident', { age: '30' }, timing, T + 12_000, 42],
    ['Date missing and no Age: delay + resident', {}, timing, T + 12_000, 12],
    ['Date in the future (skew) gives no negative apparent age', { date: date(T + 600_000) }, timing, T + 2000, 2],
    ['negative Age is ignored', { date: date(T), age: '-5' }, timing, T + 2000, 2],
    ['non-numeric Age is ignored', { date: date(T), age: 'ten' }, timing, T + 2000, 2],
    ['list-valued Age counts by its first member', { date: date(T), age: '60, 30' }, timing, T + 2000, 62],
    ['fractional Age is ignored', { date: date(T), age: '1.5' }, timing, T + 2000, 2],
    ['huge Age is clamped to 2^31', { age: '99999999999999' }, { requestTime: T, responseTime: T }, T, 2_147_483_648],
    ['clock before responseTime gives no negative resident time', { date: date(T) }, timing, T, 2],
    ['response before request (skew) gives no negative delay', { age: '5' }, { requestTime: T + 5000, responseTime: T }, T, 5],
    ['floors to whole seconds', {}, { requestTime: T, responseTime: T + 999 }, T + 1998, 1],
  ])('%s', (_label, fields, t, now, expected) => {
    expect(currentAge(lookup(fields), t, now)).toBe(expected);
  });
});
