import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../../src/config/suggest.ts';

describe('suggest', () => {
  const keys = ['max_bytes', 'max_entries', 'memory', 'disk', 'max_object_bytes'];

  it.each([
    ['memroy', 'memory'],
    ['maxBytes', 'max_bytes'],
    ['max-entries', 'max_entries'],
    ['max_byte', 'max_bytes'],
    ['dsik', 'disk'],
    ['MEMORY', 'memory'],
  ])('%s → %s', (input, expected) => {
    expect(suggest(input, keys)).toBe(expected);
  });

  it.each([['colour'], ['x'], ['ttl']])('no suggestion for %s', (input) => {
    expect(suggest(input, keys)).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
