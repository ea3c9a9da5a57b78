import { describe, expect, it } from 'vitest';
import type { HeaderLookup } from '../../../src/http/header-lookup.ts';
import {
  VARY_WILDCARD_KEY,
  isVaryWildcard,
  normalizeVaryValue,
  parseVary,
  variantKeyFor,
  variantMatches,
} from '../../../src/http/vary.ts';

const lookup = (fields: Record<string, string>): HeaderLookup => (name) => fields[name];

describe('parseVary', () => {
  it.each<[string | undefined, string[] | null]>([
    [undefined, null],
    ['', null],
    [' , ,', null],
    ['Accept-Encoding', ['accept-encoding']],
    ['  Accept-Encoding ,ORIGIN,accept-encoding', ['accept-encoding', 'origin']],
    ['accept-encoding,, accept-language', ['accept-encoding', 'accept-language']],
    ['*', ['*']],
    ['Accept-Encoding, *', ['*']],
  ])('%j → %j', (value, expected) => {
    expect(parseVary(value)).toEqual(expected);
  });
});

describe('isVaryWildcard', () => {
  it.each<[string[] | null, boolean]>([[null, false], [[], false], [['origin'], false], [['*'], true]])('%j → %s', (names, expected) => {
    expect(isVaryWildcard(names)).toBe(expected);
  });
});

describe('normalizeVaryValue', () => {
  it.each<[string, string | undefined, string]>([
    ['accept-encoding', 'gzip, deflate, br', 'br,deflate,gzip'],
    ['accept-encoding', 'BR ,  GZIP', 'br,gzip'],
    ['accept-encoding', 'gzip;q=1.0, br ; q = 0.5', 'br;q=0.5,gzip;q=1.0'],
    ['accept-encoding', 'gzip,,', 'gzip'],
    ['accept-language', 'en-US, fr;q=0.8', 'en-us,fr;q=0.8'],
    ['accept-language', 'fr, en', 'fr,en'],
    ['accept', 'Text/HTML , application/json', 'Text/HTML,application/json'],
    ['origin', '  https://a.example  ', 'https://a.example'],
    ['user-agent', 'Mozilla/5.0  (X11;\tLinux)', 'Mozilla/5.0 (X11; Linux)'],
    ['x-token', 'AbC', 'AbC'],
    ['origin', '', ''],
    ['origin', '   ', ''],
  ])('%s: %j → %j', (name, value, expected) => {
    expect(normalizeVaryValue(name, value)).toBe(expected);
  });

  // Found by test/unit/property/vary.property.test.ts: String.prototype.trim() also strips U+00A0
  // (obs-text 0xA0 as Node decodes it), so "https://a.example\xa0" selected the variant stored for
  // "https://a.example" although an origin may answer the two differently. OWS is SP and HTAB only.
  it.each<[string, string, string]>([
    ['origin', '\u00a0 !', '\u00a0 !'],
    ['origin', 'https://a.example\u00a0', 'https://a.example\u00a0'],
    ['x-custom', '\u00a0a, b\u00a0', '\u00a0a,b\u00a0'],
    ['accept', 'text/html\u00a0, */*', 'text/html\u00a0,*/*'],
  ])('%s: keeps the obs-text byte 0xA0 at the edges of %j (only SP and HTAB are whitespace)', (name, value, expected) => {
    expect(normalizeVaryValue(name, value)).toBe(expected);
  });

  it('keeps absent distinct from empty', () => {
    expect(normalizeVaryValue('origin', undefined)).not.toBe(normalizeVaryValue('origin', ''));
    expect(normalizeVaryValue('accept-encoding', undefined)).not.toBe(normalizeVaryValue('accept-encoding', ''));
  });
});

describe('variantKeyFor', () => {
  it('is empty without Vary', () => {
    expect(variantKeyFor(null, lookup({ origin: 'x' }))).toBe('');
    expect(variantKeyFor([], lookup({}))).toBe('');
  });

  it('includes the names and the normalised values', () => {
    const key = variantKeyFor(['accept-encoding', 'origin'], lookup({ 'accept-encoding': 'gzip, br', origin: 'https://a' }));
    expect(key).toBe('accept-encoding:br,gzip\norigin:https://a');
  });

  it('returns the wildcard sentinel for Vary: *', () => {
    expect(variantKeyFor(['*'], lookup({}))).toBe(VARY_WILDCARD_KEY);
  });
});

describe('variantMatches', () => {
  const names = parseVary('Accept-Encoding, Origin');
  const stored = variantKeyFor(names, lookup({ 'accept-encoding': 'gzip, br', origin: 'https://a' }));

  it.each<[string, Record<string, string>, boolean]>([
    ['same values', { 'accept-encoding': 'gzip, br', origin: 'https://a' }, true],
    ['reordered, re-cased, re-spaced encodings', { 'accept-encoding': ' BR,gzip ', origin: 'https://a' }, true],
    ['different origin', { 'accept-encoding': 'gzip, br', origin: 'https://b' }, false],
    ['origin absent', { 'accept-encoding': 'gzip, br' }, false],
    ['origin empty', { 'accept-encoding': 'gzip, br', origin: '' }, false],
    ['other headers do not matter', { 'accept-encoding': 'br,gzip', origin: 'https://a', cookie: 'x' }, true],
  ])('%s → %s', (_label, fields, expected) => {
    expect(variantMatches(names, stored, lookup(fields))).toBe(expected);
  });

  it('matches an absent header only against an absent header', () => {
    const absentKey = variantKeyFor(['origin'], lookup({}));
    expect(variantMatches(['origin'], absentKey, lookup({}))).toBe(true);
    expect(variantMatches(['origin'], absentKey, lookup({ origin: '' }))).toBe(false);
  });

  it('never matches Vary: *, not even with its own key', () => {
    expect(variantMatches(['*'], VARY_WILDCARD_KEY, lookup({}))).toBe(false);
    expect(variantMatches(['*'], variantKeyFor(['*'], lookup({})), lookup({}))).toBe(false);
  });

  it('matches without Vary only the no-Vary key', () => {
    expect(variantMatches(null, '', lookup({ origin: 'x' }))).toBe(true);
    expect(variantMatches(null, 'origin:x', lookup({ origin: 'x' }))).toBe(false);
  });
});
