import { describe, expect, it } from 'vitest';
import { EMPTY_CACHE_CONTROL, parseCacheControl, type CacheControl } from '../../../src/http/cache-control.ts';

describe('parseCacheControl', () => {
  it.each<[string, string | string[] | undefined]>([
    ['undefined', undefined],
    ['empty string', ''],
    ['empty array', []],
    ['only separators', ' , ,, '],
    ['only unknown directives', 'x-custom, foo=bar'],
  ])('returns the shared frozen empty object for %s', (_label, value) => {
    const cc = parseCacheControl(value);
    expect(cc).toBe(EMPTY_CACHE_CONTROL);
    expect(Object.isFrozen(cc)).toBe(true);
    expect(Object.keys(cc)).toEqual([]);
  });

  it.each<[string | string[], CacheControl]>([
    ['max-age=60', { maxAge: 60 }],
    ['Max-Age=60, PUBLIC', { maxAge: 60, public: true }],
    ['max-age="60"', { maxAge: 60 }],
    ['max-age = 60', { maxAge: 60 }],
    ['max-age=60, max-age=10', { maxAge: 60 }],
    ['max-age=abc, max-age=10', { maxAge: 0 }],
    ['max-age=abc', { maxAge: 0 }],
    ['max-age=-1', { maxAge: 0 }],
    ['max-age=1.5', { maxAge: 0 }],
    ['max-age=+5', { maxAge: 0 }],
    ['max-age', { maxAge: 0 }],
    ['max-age=', { maxAge: 0 }],
    ['max-age=99999999999999999999', { maxAge: 2147483648 }],
    ['max-age=2147483647', { maxAge: 2147483647 }],
    ['s-maxage=10, max-age=100', { sMaxAge: 10, maxAge: 100 }],
    ['s-maxage=x', { sMaxAge: 0 }],
    ['max-age=60 junk, public', { maxAge: 60, public: true }],
    [',,no-store,,', { noStore: true }],
    ['\tno-store ,  no-transform\t', { noStore: true, noTransform: true }],
    ['no-cache', { noCache: true }],
    ['no-cache="set-cookie, X-Foo"', { noCacheFields: ['set-cookie', 'x-foo'] }],
    ['no-cache=Set-Cookie', { noCacheFields: ['set-cookie'] }],
    ['no-cache="a", no-cache="b, a"', { noCacheFields: ['a', 'b'] }],
    ['no-cache=""', { noCache: true }],
    ['private', { private: true }],
    ['private="x", private', { private: true, privateFields: ['x'] }],
    ['private=""', { private: true }],
    ['private="a, b", max-age=5', { privateFields: ['a', 'b'], maxAge: 5 }],
    ['private="a\\"b", max-age=5', { privateFields: ['a"b'], maxAge: 5 }],
    ['private="a, max-age=5', { privateFields: ['a', 'max-age=5'] }],
    ['stale-while-revalidate=30, stale-if-error=abc, stale-if-error=60', { staleWhileRevalidate: 30, staleIfError: 60 }],
    ['stale-while-revalidate=-3', {}],
    ['max-stale', { maxStale: Infinity }],
    ['max-stale=5', { maxStale: 5 }],
    ['max-stale=oops', {}],
    ['min-fresh=10, only-if-cached', { minFresh: 10, onlyIfCached: true }],
    [
      'must-revalidate, proxy-revalidate, must-understand, no-transform, immutable, public',
      { mustRevalidate: true, proxyRevalidate: true, mustUnderstand: true, noTransform: true, immutable: true, public: true },
    ],
    [['max-age=60', 'max-age=10, public'], { maxAge: 60, public: true }],
    [['', 'no-store'], { noStore: true }],
  ])('parses %j', (value, expected) => {
    // toStrictEqual also fails on keys present with an undefined value.
    expect(parseCacheControl(value)).toStrictEqual(expected);
  });

  it('returns a fresh object per parse so callers never share parsed lists', () => {
    const a = parseCacheControl('private="x"');
    const b = parseCacheControl('private="x"');
    expect(a).not.toBe(b);
    expect(a.privateFields).not.toBe(b.privateFields);
  });
});
