import { describe, expect, it } from 'vitest';
import { normalizeVaryValue } from '../../../src/http/vary.ts';

/** Through normalizeVaryValue, as Vary uses it: lowercasing and whitespace come first. */
const canonical = (value: string): string => normalizeVaryValue('accept-language', value);

describe('Accept-Language canonical form', () => {
  it.each<[string, string]>([
    ['en', 'en'],
    ['en-US', 'en-us'],
    ['de, fr;q=0.5', 'de,fr;q=0.5'],
    ['fr;q=0.5, de', 'de,fr;q=0.5'],
    ['de;q=1.0, fr;q=0.500', 'de,fr;q=0.5'],
    [' DE ;Q=1 , fr ; q=0.5 ', 'de,fr;q=0.5'],
    ['de;q=1.000', 'de'],
    ['en;q=0.8, fr;q=0.9, de;q=0.85', 'fr;q=0.9,de;q=0.85,en;q=0.8'],
    ['en;q=0.050', 'en;q=0.05'],
    ['en;q=0.', 'en;q=0'],
    ['en;q=0, fr', 'fr,en;q=0'],
    ['*;q=0.1, en', 'en,*;q=0.1'],
    // Ties keep the client's order: origins break them by order.
    ['en, de', 'en,de'],
    ['de, en', 'de,en'],
    ['fr;q=0.5, en, de;q=0.5', 'en,fr;q=0.5,de;q=0.5'],
  ])('%j → %j', (value, expected) => {
    expect(canonical(value)).toBe(expected);
  });

  it.each<[string, string]>([
    ['de;q=2, fr', 'a q-value above 1'],
    ['de;q=1.5, fr', 'a fraction on q=1'],
    ['de;q=0.1234, fr', 'four decimals'],
    ['de;q=abc, fr', 'a non-numeric q'],
    ['de;q=1, fr;q=.5', 'a q-value without its leading 0'],
    ['de;level=1, fr', 'a parameter other than q'],
    ['de;q=0.5;x=1, fr', 'a second parameter'],
  ])('leaves the order alone for %j (%s)', (value) => {
    const members = value.toLowerCase().split(',').map((m) => m.trim().replace(/\s*([;=])\s*/g, '$1'));
    expect(canonical(value)).toBe(members.join(','));
  });

  it('gives equivalent spellings one key and different rankings different keys', () => {
    expect(canonical('fr;q=0.5, de')).toBe(canonical('de;q=1.0, fr;q=0.50'));
    expect(canonical('en, de')).not.toBe(canonical('de, en'));
  });
});
