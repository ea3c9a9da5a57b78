import { describe, expect, it } from 'vitest';
import { formatCacheStatus, type CacheStatusParams } from '../../../src/http/cache-status.ts';

describe('formatCacheStatus', () => {
  it.each<[string, string, CacheStatusParams, string]>([
    ['bare', 'edgehook', {}, 'edgehook'],
    ['hit with ttl', 'edgehook', { hit: true, ttl: 42 }, 'edgehook; hit; ttl=42'],
    ['miss that was stored', 'edgehook', { fwd: 'uri-miss', fwdStatus: 200, stored: true, ttl: 60 },
      'edgehook; fwd=uri-miss; fwd-status=200; ttl=60; stored'],
    ['stale hit has a negative ttl', 'edgehook', { hit: true, ttl: -5 }, 'edgehook; hit; ttl=-5'],
    ['fractional ttl truncates', 'edgehook', { hit: true, ttl: 41.9 }, 'edgehook; hit; ttl=41'],
    ['fractional negative ttl truncates toward zero', 'edgehook', { ttl: -0.5 }, 'edgehook; ttl=0'],
    ['infinite ttl is clamped', 'edgehook', { ttl: Infinity }, 'edgehook; ttl=999999999999999'],
    ['NaN ttl becomes 0', 'edgehook', { ttl: NaN }, 'edgehook; ttl=0'],
    ['false flags are omitted', 'edgehook', { hit: false, stored: false, collapsed: false }, 'edgehook'],
    ['collapsed', 'edgehook', { fwd: 'miss', collapsed: true }, 'edgehook; fwd=miss; collapsed'],
    ['token detail', 'edgehook', { fwd: 'bypass', detail: 'set-cookie' }, 'edgehook; fwd=bypass; detail=set-cookie'],
    ['detail with spaces becomes a string', 'edgehook', { detail: 'hook denied' }, 'edgehook; detail="hook denied"'],
    ['detail escapes quotes and backslashes', 'edgehook', { detail: 'a"b\\c' }, 'edgehook; detail="a\\"b\\\\c"'],
    ['detail drops control and non-ASCII characters', 'edgehook', { detail: 'a\r\nb\u00e9' }, 'edgehook; detail="a??b?"'],
    ['detail starting with a digit is a string', 'edgehook', { detail: '404' }, 'edgehook; detail="404"'],
    ['empty detail is an empty string', 'edgehook', { detail: '' }, 'edgehook; detail=""'],
    ['key is always a string', 'edgehook', { hit: true, key: 'https://a/x' }, 'edgehook; hit; key="https://a/x"'],
    ['cache name that is not a token', 'edge hook', { hit: true }, '"edge hook"; hit'],
  ])('%s', (_label, name, params, expected) => {
    expect(formatCacheStatus(name, params)).toBe(expected);
  });
});
