/**
 * HeaderMap answers the same whether or not it has built its map yet: reads scan the source until
 * an edit or an iteration builds it (the hook phases of a cache hit mostly never get that far).
 */
import { describe, expect, it } from 'vitest';
import { HeaderMap } from '../../../src/http/header-map.ts';

const RAW = ['Host', 'a.test', 'Accept', 'text/html', 'X-Multi', 'one', 'accept-language', 'de', 'x-multi', 'two'];

/** The same map, built at once (an edit that changes nothing forces it). */
function built(map: HeaderMap): HeaderMap {
  const copy = map.clone();
  copy.append('x-force-build', '1');
  copy.delete('x-force-build');
  return copy;
}

describe('HeaderMap before and after it is built', () => {
  const sources: [string, () => HeaderMap][] = [
    ['raw headers', () => HeaderMap.fromRaw(RAW)],
    ['pairs', () => HeaderMap.fromPairs([['Host', 'a.test'], ['Accept', 'text/html'], ['X-Multi', 'one'], ['accept-language', 'de'], ['x-multi', 'two']])],
  ];
  for (const [label, make] of sources) {
    it.each([
      ['host', 'a.test'], ['HOST', 'a.test'], ['x-multi', 'one, two'], ['X-MULTI', 'one, two'], ['accept-language', 'de'], ['absent', undefined],
    ])(`${label}: get(%s)`, (name, expected) => {
      expect(make().get(name)).toBe(expected);
      expect(built(make()).get(name)).toBe(expected);
    });

    it(`${label}: getAll, has and the built forms agree`, () => {
      const lazy = make();
      expect(lazy.getAll('x-multi')).toEqual(['one', 'two']);
      expect(lazy.has('Accept')).toBe(true);
      expect(lazy.has('nope')).toBe(false);
      expect(lazy.getAll('nope')).toEqual([]);
      expect(make().toPairs()).toEqual(built(make()).toPairs());
      expect(make().toObject()).toEqual({ host: 'a.test', accept: 'text/html', 'x-multi': ['one', 'two'], 'accept-language': 'de' });
      expect([...make().names()]).toEqual(['host', 'accept', 'x-multi', 'accept-language']);
      expect(make().size).toBe(4);
    });
  }

  it('a clone shares the unbuilt source, and editing either leaves the other as it was', () => {
    const original = HeaderMap.fromRaw(RAW);
    const copy = original.clone();
    copy.set('accept', 'image/avif');
    copy.delete('x-multi');
    expect(original.get('accept')).toBe('text/html');
    expect(original.get('x-multi')).toBe('one, two');
    expect(copy.get('accept')).toBe('image/avif');
    expect(copy.has('x-multi')).toBe(false);
    expect(RAW).toHaveLength(10); // the source itself is never written to
  });

  it('untouched lowercase pairs come back as they were, in their order (a repeated field stays where it was)', () => {
    const pairs: [string, string][] = [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['etag', '"x"'], ['set-cookie', 'b=2']];
    const map = HeaderMap.fromLowercasePairs(pairs);
    expect(map.get('set-cookie')).toBe('a=1, b=2');
    const out = map.toPairs();
    expect(out).toEqual(pairs);
    expect(out).not.toBe(pairs);
    map.set('etag', '"y"');
    expect(map.toPairs()).toEqual([['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['etag', '"y"']]);
  });
});
