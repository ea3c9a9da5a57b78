import { describe, expect, it } from 'vitest';
import { HeaderMap } from '../../../src/http/header-map.ts';
import {
  NO_HEADERS,
  headerLookupFromMap,
  headerLookupFromNode,
  headerLookupFromPairs,
} from '../../../src/http/header-lookup.ts';

describe('header lookups', () => {
  it('reads Node headers, joining arrays', () => {
    const get = headerLookupFromNode({ 'set-cookie': ['a=1', 'b=2'], 'cache-control': 'max-age=1' });
    expect(get('set-cookie')).toBe('a=1, b=2');
    expect(get('cache-control')).toBe('max-age=1');
    expect(get('vary')).toBeUndefined();
  });

  it('reads a HeaderMap', () => {
    const get = headerLookupFromMap(HeaderMap.fromPairs([['Vary', 'a'], ['vary', 'b']]));
    expect(get('vary')).toBe('a, b');
    expect(get('etag')).toBeUndefined();
  });

  it('reads stored pairs, combining repeated fields in order', () => {
    const get = headerLookupFromPairs([['age', '1'], ['vary', 'a'], ['vary', 'b']]);
    expect(get('vary')).toBe('a, b');
    expect(get('age')).toBe('1');
    expect(get('date')).toBeUndefined();
  });

  it('NO_HEADERS finds nothing', () => {
    expect(NO_HEADERS('date')).toBeUndefined();
  });
});
