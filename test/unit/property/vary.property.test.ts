/**
 * Properties of Vary handling (src/http/vary.ts, RFC 9110 §12.5.5, RFC 9111 §4.1): Vary parses
 * to the names a reference model lists; value normalisation is idempotent, merges only what
 * RFC 9110 calls equivalent (list OWS, case of case-insensitive lists, order of codings), and
 * keeps everything else apart; the variant key is equal exactly when every normalised value is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeaderLookup } from '../../../src/http/header-lookup.ts';
import { normalizeVaryValue, parseVary, VARY_WILDCARD_KEY, variantKeyFor, variantMatches } from '../../../src/http/vary.ts';
import { charFrom, fieldValue, mixedCase, ows, token } from './http-arbitraries.ts';

const RUNS = { numRuns: 1000 };

const NAMES = ['accept', 'accept-encoding', 'accept-language', 'accept-charset', 'origin', 'x-custom'] as const;

describe('parseVary (property)', () => {
  const member = fc.oneof({ weight: 6, arbitrary: token(8) }, { weight: 1, arbitrary: fc.constantFrom('*', '') });
  const vary = fc.array(fc.tuple(ows, member, ows), { maxLength: 6 });

  it('lists the lower-cased names once each in first-seen order, ["*"] when any is "*", null when none', () => {
    fc.assert(fc.property(vary, (members) => {
      const names = members.map(([, name]) => name.toLowerCase()).filter((name) => name !== '');
      const reference = names.includes('*') ? ['*'] : names.length === 0 ? null : [...new Set(names)];
      expect(parseVary(members.map(([before, name, after]) => before + name + after).join(','))).toEqual(reference);
    }), RUNS);
  });

  it('is a fixed point on its own output, and never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), vary.map((m) => m.flat().join(','))), (value) => {
      const names = parseVary(value);
      if (names !== null) expect(parseVary(names.join(', '))).toEqual(names);
    }), RUNS);
  });
});

/**
 * Values of the case-insensitive lists are kept to ASCII: their grammars (codings, language
 * ranges, charsets) have no obs-text, and folding its case is not defined by HTTP.
 */
const asciiFieldValue = fieldValue.filter((v) => /^[\x20-\x7e\t]*$/.test(v));
const valueFor = (name: string): fc.Arbitrary<string> => (name === 'accept' || !name.startsWith('accept') ? fieldValue : asciiFieldValue);

/** RFC 9110 §5.5/§5.6.1 for a field edgehook knows nothing about: OWS is SP and HTAB only. */
function referenceUnknownField(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[ \t]*,[ \t]*/g, ',').replace(/[ \t]+/g, ' ');
}

describe('normalizeVaryValue (property)', () => {
  it('is idempotent for every kind of field', () => {
    const input = fc.constantFrom(...NAMES).chain((name) => fc.tuple(fc.constant(name), valueFor(name)));
    fc.assert(fc.property(input, ([name, value]) => {
      const once = normalizeVaryValue(name, value);
      expect(normalizeVaryValue(name, once)).toBe(once);
    }), RUNS);
  });

  it('treats only SP and HTAB as whitespace in a field it does not know (a trailing obs-text byte is part of the value)', () => {
    fc.assert(fc.property(fc.constantFrom('origin', 'x-custom'), fieldValue, fc.tuple(ows, ows), (name, value, [before, after]) => {
      expect(normalizeVaryValue(name, before + value + after)).toBe(referenceUnknownField(value));
    }), RUNS);
  });

  /** A list member: a token with optional `;name=value` parameters, written with OWS around delimiters. */
  const listMember = fc.tuple(token(6), fc.array(fc.tuple(token(3), token(4)), { maxLength: 2 }));
  const writeMember = ([value, params]: [string, [string, string][]]): fc.Arbitrary<string> =>
    fc.array(fc.tuple(ows, ows), { minLength: params.length, maxLength: params.length })
      .map((spaces) => value + params.map(([k, v], i) => `${spaces[i]![0]};${spaces[i]![1]}${k}${spaces[i]![1]}=${spaces[i]![0]}${v}`).join(''));
  const canonicalMember = ([value, params]: [string, [string, string][]]): string => value + params.map(([k, v]) => `;${k}=${v}`).join('');

  it('merges spellings RFC 9110 calls equivalent: list OWS, empty members, case and (for codings) order', () => {
    const spelledList = fc.tuple(fc.constantFrom(...NAMES.filter((n) => n.startsWith('accept'))), fc.array(listMember, { minLength: 1, maxLength: 4 }))
      .chain(([name, members]) => fc.tuple(
        fc.constant(name),
        fc.constant(members),
        fc.tuple(...members.map(writeMember)),
        name === 'accept-encoding' ? fc.shuffledSubarray(members.map((_, i) => i), { minLength: members.length }) : fc.constant(members.map((_, i) => i)),
        fc.array(fc.tuple(ows, fc.constantFrom('', ', '), ows), { minLength: members.length, maxLength: members.length }),
        fc.boolean(),
      ));
    fc.assert(fc.property(spelledList, ([name, members, written, order, separators, upper]) => {
      const caseInsensitive = name !== 'accept';
      const spelled = order.map((i, n) => `${separators[n]![0]}${separators[n]![1]}${written[i]}${separators[n]![2]}`).join(',');
      const canonical = members.map(canonicalMember).join(',');
      const recased = caseInsensitive && upper ? spelled.toUpperCase() : spelled;
      expect(normalizeVaryValue(name, recased)).toBe(normalizeVaryValue(name, canonical));
    }), RUNS);
  });

  it('keeps apart values that differ in anything but those (order of languages, case of media types)', () => {
    fc.assert(fc.property(fc.uniqueArray(token(5).map((t) => t.toLowerCase()), { minLength: 2, maxLength: 3 }), (members) => {
      const reversed = [...members].reverse().join(',');
      expect(normalizeVaryValue('accept-language', reversed)).not.toBe(normalizeVaryValue('accept-language', members.join(',')));
      expect(normalizeVaryValue('accept-encoding', reversed)).toBe(normalizeVaryValue('accept-encoding', members.join(',')));
      const typed = `${members[0]}/x`;
      fc.pre(typed.toUpperCase() !== typed);
      expect(normalizeVaryValue('accept', typed.toUpperCase())).not.toBe(normalizeVaryValue('accept', typed));
    }), RUNS);
  });
});

describe('variantKeyFor / variantMatches (property)', () => {
  const varyNames = fc.uniqueArray(fc.oneof(fc.constantFrom(...NAMES), token(6).map((t) => t.toLowerCase())), { minLength: 1, maxLength: 4 })
    .filter((names) => !names.includes('*'));
  /** Per name: absent, empty, or a value (often one of a few, so that two requests agree). */
  const headerValue = fc.oneof(fc.constant(undefined), fc.constant(''), fc.constantFrom('gzip', 'a', 'en, fr'), fc.string({ unit: charFrom('ab ,;'), maxLength: 5 }), asciiFieldValue);
  const request = (names: string[]): fc.Arbitrary<Record<string, string | undefined>> =>
    fc.tuple(...names.map(() => headerValue)).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])));
  const lookup = (fields: Record<string, string | undefined>): HeaderLookup => (name) => fields[name];
  const scenario = varyNames.chain((names) => fc.tuple(fc.constant(names), request(names), request(names)));

  it('gives two requests the same key exactly when every Vary header normalises alike (absent ≠ empty)', () => {
    fc.assert(fc.property(scenario, ([names, a, b]) => {
      const same = names.every((n) => normalizeVaryValue(n, a[n]) === normalizeVaryValue(n, b[n]));
      expect(variantKeyFor(names, lookup(a)) === variantKeyFor(names, lookup(b))).toBe(same);
      expect(variantMatches(names, variantKeyFor(names, lookup(a)), lookup(b))).toBe(same);
    }), RUNS);
  });

  it('never matches a Vary: * response, whatever the request', () => {
    fc.assert(fc.property(scenario, ([names, a]) => {
      expect(variantKeyFor(['*'], lookup(a))).toBe(VARY_WILDCARD_KEY);
      expect(variantMatches(['*'], VARY_WILDCARD_KEY, lookup(a))).toBe(false);
      expect(variantMatches([...names, '*'], variantKeyFor(names, lookup(a)), lookup(a))).toBe(false);
    }), RUNS);
  });

  it('is case-insensitive in the Vary names themselves', () => {
    fc.assert(fc.property(scenario.chain(([names, a]) => fc.tuple(fc.constant(names), fc.constant(a), fc.tuple(...names.map(mixedCase)))), ([names, a, spelled]) => {
      const parsed = parseVary(spelled.join(', '));
      expect(variantKeyFor(parsed, lookup(a))).toBe(variantKeyFor(names, lookup(a)));
    }), RUNS);
  });
});
