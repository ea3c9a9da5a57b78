import { describe, expect, it } from 'vitest';
import type { CacheControl } from '../../../src/http/cache-control.ts';
import type { HeaderLookup } from '../../../src/http/header-lookup.ts';
import { parseTargetedField, selectCacheDirectives } from '../../../src/http/targeted-cache-control.ts';

describe('parseTargetedField (RFC 9213 §2.1)', () => {
  it.each<[string, CacheControl]>([
    ['max-age=3600', { maxAge: 3600 }],
    ['max-age=99999999999', { maxAge: 2_147_483_648 }],
    ['s-maxage=10, stale-while-revalidate=5, stale-if-error=60', { sMaxAge: 10, staleWhileRevalidate: 5, staleIfError: 60 }],
    ['no-store', { noStore: true }],
    ['no-store=?0', {}],
    ['must-revalidate, proxy-revalidate, public, immutable', { mustRevalidate: true, proxyRevalidate: true, public: true, immutable: true }],
    ['private', { private: true }],
    ['no-cache', { noCache: true }],
    ['private="Set-Cookie, X-User"', { privateFields: ['set-cookie', 'x-user'] }],
    ['no-cache=("x-a" x-b)', { noCacheFields: ['x-a', 'x-b'] }],
    ['private=""', { private: true }],
    ['max-age=60;ext=1', { maxAge: 60 }],
    ['none', {}],
    ['foobar, max-age=3600', { maxAge: 3600 }],
    ['foo="x", bar=1.5, max-age=1', { maxAge: 1 }],
    // Request directives mean nothing in a response field: ignored like unknown ones.
    ['only-if-cached, max-stale=5, max-age=2', { maxAge: 2 }],
  ])('%j', (value, expected) => {
    expect(parseTargetedField(value)).toEqual(expected);
  });

  it.each<[string | undefined, string]>([
    [undefined, 'absent'],
    ['', 'empty'],
    ['   ', 'empty after spaces'],
    ['max-age=10000, &&&&&', 'not a Dictionary'],
    ['MaX-aGe=3600', 'an upper-case key'],
    ['max-age="10000"', 'max-age as a String'],
    ['max-age=1.5', 'max-age as a Decimal'],
    ['max-age=-1', 'a negative max-age'],
    ['max-age', 'max-age as a Boolean'],
    ['no-store=1', 'no-store as an Integer'],
    ['private=1', 'private as an Integer'],
    ['no-cache=(1)', 'no-cache listing an Integer'],
  ])('ignores %j (%s)', (value) => {
    expect(parseTargetedField(value)).toBeUndefined();
  });
});

describe('selectCacheDirectives (RFC 9213 §2.2)', () => {
  const fields = (record: Record<string, string>): HeaderLookup => (name) => record[name];
  const TARGETS = ['edgehook-cache-control', 'cdn-cache-control'];

  it.each<[string, Record<string, string>, readonly string[], string, CacheControl]>([
    ['Cache-Control without targeted fields', { 'cache-control': 'max-age=60' }, TARGETS, 'cache-control', { maxAge: 60 }],
    ['CDN-Cache-Control over Cache-Control', { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=5' }, TARGETS, 'cdn-cache-control', { maxAge: 5 }],
    ['the first field on the list wins', { 'edgehook-cache-control': 'no-store', 'cdn-cache-control': 'max-age=5' }, TARGETS, 'edgehook-cache-control', { noStore: true }],
    ['an invalid first field falls to the next', { 'edgehook-cache-control': 'max-age=x', 'cdn-cache-control': 'max-age=5' }, TARGETS, 'cdn-cache-control', { maxAge: 5 }],
    ['an empty field falls to Cache-Control', { 'cache-control': 'max-age=60', 'cdn-cache-control': '' }, TARGETS, 'cache-control', { maxAge: 60 }],
    ['a field off the list changes nothing', { 'cache-control': 'max-age=60', 'acme-cache-control': 'no-store' }, TARGETS, 'cache-control', { maxAge: 60 }],
    ['an empty target list reads Cache-Control only', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'no-store' }, [], 'cache-control', { maxAge: 60 }],
  ])('%s', (_label, record, targets, field, expected) => {
    const selected = selectCacheDirectives(fields(record), targets);
    expect(selected.field).toBe(field);
    expect(selected.cacheControl).toEqual(expected);
  });

  it('hides Cache-Control and Expires from freshness and storability when a targeted field governs', () => {
    const record = { 'cache-control': 'max-age=1', expires: 'Thu, 01 Jan 1970 00:00:00 GMT', date: 'x', age: '5', 'cdn-cache-control': 'max-age=9' };
    const { lookup } = selectCacheDirectives(fields(record), TARGETS);
    expect([lookup('cache-control'), lookup('expires'), lookup('date'), lookup('age')]).toEqual([undefined, undefined, 'x', '5']);
  });

  it('passes the lookup through untouched when Cache-Control governs', () => {
    const lookup = fields({ expires: 'e' });
    expect(selectCacheDirectives(lookup, TARGETS).lookup).toBe(lookup);
  });
});
