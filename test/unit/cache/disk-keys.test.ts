import { describe, expect, it } from 'vitest';
import {
  ENTRY_ID_LENGTH, entryId, exactIndexRange, idOfIndexKey, indexKey, prefixIndexStart, primaryHash, splitEntryId, startsWithBytes,
} from '../../../src/cache/disk-keys.ts';

function inRange(key: Buffer, range: { start: Buffer; end: Buffer }): boolean {
  return Buffer.compare(key, range.start) >= 0 && Buffer.compare(key, range.end) < 0;
}

describe('disk keys', () => {
  it('gives every variant of a key the same id prefix: the key of its variants record', () => {
    const a = entryId('GET|example.com|/x', 'gzip');
    const b = entryId('GET|example.com|/x', 'br');
    expect(a).toHaveLength(ENTRY_ID_LENGTH);
    expect(a).not.toBe(b);
    expect(splitEntryId(a).primary).toBe(primaryHash('GET|example.com|/x'));
    expect(splitEntryId(b).primary).toBe(primaryHash('GET|example.com|/x'));
    expect(splitEntryId(a).variant).not.toBe(splitEntryId(b).variant);
    expect(splitEntryId(entryId('GET|example.com|/y', 'gzip')).primary).not.toBe(primaryHash('GET|example.com|/x'));
  });

  it('recovers the id from an index key, for short and clipped texts', () => {
    const id = entryId('k', '');
    expect(idOfIndexKey(indexKey('https://example.com/é', id))).toBe(id);
    expect(idOfIndexKey(indexKey('x'.repeat(5000), id))).toBe(id);
    expect(indexKey('é'.repeat(5000), id).byteLength).toBeLessThan(1978);
  });

  it('finds a text in its exact range and not a longer text sharing its prefix', () => {
    const id = entryId('k', '');
    const range = exactIndexRange('https://example.com/a');
    expect(inRange(indexKey('https://example.com/a', id), range)).toBe(true);
    expect(inRange(indexKey('https://example.com/ab', id), range)).toBe(false);
    expect(inRange(indexKey('https://example.com/', id), range)).toBe(false);
  });

  it('puts every text with a prefix under the prefix scan start', () => {
    const id = entryId('k', '');
    const start = prefixIndexStart('https://example.com/img/');
    expect(startsWithBytes(indexKey('https://example.com/img/a.png', id), start)).toBe(true);
    expect(startsWithBytes(indexKey('https://example.com/im', id), start)).toBe(false);
    expect(Buffer.compare(indexKey('https://example.com/img/a.png', id), start)).toBeGreaterThan(0);
  });
});
