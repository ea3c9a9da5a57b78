/** The proxy-wasm map serialization and property paths, table-driven (spec "Serialization"). */
import { describe, expect, it } from 'vitest';
import { parsePairs, serializePairs } from '../../src/hook-runtime/proxy-wasm/header-pairs.ts';
import { propertyPath, propertyReads } from '../../src/hook-runtime/proxy-wasm/properties.ts';

describe('serialized maps', () => {
  it('encode the spec\'s example byte for byte', () => {
    // {{"a": "1"}, {"b": "22"}}: count, (1,1), (1,2), then NUL-terminated keys and values.
    expect([...serializePairs([['a', '1'], ['b', '22']])]).toEqual([
      2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0,
    ]);
  });

  it.each([
    ['empty', [] as [string, string][]],
    ['one pair', [['x-a', '1']] as [string, string][]],
    ['octets above 0x7f (latin1)', [['x-b', 'caf\u00e9\u00ff']] as [string, string][]],
    ['empty value and repeated name', [['x-c', ''], ['x-c', 'two']] as [string, string][]],
  ])('round-trip: %s', (_name, pairs) => {
    expect(parsePairs(serializePairs(pairs))).toEqual(pairs);
  });

  it.each([
    ['no bytes', Buffer.alloc(0), []],
    ['a single NUL', Buffer.of(0), []],
  ])('read an empty map written as %s', (_name, bytes, pairs) => {
    expect(parsePairs(bytes)).toEqual(pairs);
  });

  it.each([
    ['shorter than its count', Buffer.of(1, 0)],
    ['a count larger than the bytes', Buffer.of(9, 0, 0, 0, 1, 0, 0, 0)],
    ['an entry past the end', Buffer.of(1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 0x61, 0)],
  ])('refuse a map %s', (_name, bytes) => {
    expect(() => parsePairs(bytes)).toThrow(RangeError);
  });
});

describe('property paths', () => {
  it.each([
    ['request\0path', 'request.path'],
    ['request.path', 'request.path'],
    ['edgehook\0geo\0country\0', 'edgehook.geo.country'],
    ['plugin_name', 'plugin_name'],
  ])('%j reads as %s', (raw, path) => {
    expect(propertyPath(raw)).toBe(path);
  });

  it('say a filter reads geo or image attributes from the names in its bytes, UTF-8 or UTF-16', () => {
    const utf8 = Buffer.from('xx edgehook.geo.country yy');
    const utf16 = Buffer.from('edgehook.image.width', 'utf16le');
    const nul = Buffer.from('edgehook\0geo\0city');
    expect([...propertyReads(utf8, true)]).toEqual(['request/geo']);
    expect([...propertyReads(utf16, true)]).toEqual(['response/image']);
    expect([...propertyReads(nul, true)]).toEqual(['request/geo']);
    expect([...propertyReads(utf8, false)]).toEqual([]);
  });
});
