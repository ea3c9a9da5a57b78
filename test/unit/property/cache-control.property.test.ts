/**
 * Properties of Cache-Control parsing (src/http/cache-control.ts, RFC 9111 §5.2): directives
 * round-trip through every spelling a sender may use (letter case, OWS, quoted arguments, field
 * lines split anywhere between members, extension directives whose quoted arguments hide commas
 * and known names), the first occurrence wins, and no input makes the parser throw or yield a
 * value outside delta-seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCacheControl, type CacheControl } from '../../../src/http/cache-control.ts';
import { DELTA_SECONDS_MAX } from '../../../src/http/delta-seconds.ts';
import { mixedCase, ows, stringFrom, token } from './http-arbitraries.ts';

const RUNS = { numRuns: 1000 };
// Whole spellings are costly to generate; 500 of them still cover every directive many times over.
const SPELLING_RUNS = { numRuns: 500 };

type NumericKey = 'maxAge' | 'sMaxAge' | 'staleWhileRevalidate' | 'staleIfError' | 'minFresh' | 'maxStale';
type FlagKey = 'noStore' | 'public' | 'mustRevalidate' | 'proxyRevalidate' | 'mustUnderstand' | 'noTransform' | 'immutable' | 'onlyIfCached';

const NUMERIC: Readonly<Record<NumericKey, string>> = {
  maxAge: 'max-age', sMaxAge: 's-maxage', staleWhileRevalidate: 'stale-while-revalidate',
  staleIfError: 'stale-if-error', minFresh: 'min-fresh', maxStale: 'max-stale',
};
const FLAGS: Readonly<Record<FlagKey, string>> = {
  noStore: 'no-store', public: 'public', mustRevalidate: 'must-revalidate', proxyRevalidate: 'proxy-revalidate',
  mustUnderstand: 'must-understand', noTransform: 'no-transform', immutable: 'immutable', onlyIfCached: 'only-if-cached',
};
const KNOWN_NAMES = new Set([...Object.values(NUMERIC), ...Object.values(FLAGS), 'no-cache', 'private']);

/** One directive as it will be written, and what parsing it should yield. */
interface Member {
  readonly text: fc.Arbitrary<string>;
  readonly expect: Partial<CacheControl>;
}

/** delta-seconds as senders write it, and its value (RFC 9111 §1.2.2: clamped to 2^31). */
const deltaSeconds = fc.oneof(
  fc.nat(100_000).map(String),
  fc.tuple(stringFrom('0', { minLength: 1, maxLength: 3 }), fc.nat(999)).map(([zeros, n]) => `${zeros}${n}`),
  stringFrom('0123456789', { minLength: 10, maxLength: 30 }),
).map((digits) => ({ digits, seconds: Number(BigInt(digits) > BigInt(DELTA_SECONDS_MAX) ? BigInt(DELTA_SECONDS_MAX) : BigInt(digits)) }));

/** `=value` or `="value"` (RFC 9111 §5.2: senders SHOULD use the token form, recipients accept both). */
const argument = (value: string): fc.Arbitrary<string> => fc.tuple(ows, ows, fc.boolean())
  .map(([before, after, quoted]) => `${before}=${after}${quoted ? `"${value}"` : value}`);

/** A quoted-string holding commas, escapes and known directive names, which must stay inside it. */
const trickyQuoted = fc.array(fc.oneof(
  stringFrom('abc ,=;'),
  fc.constantFrom('max-age=0', 'no-store', '\\"', '\\\\', ', private'),
), { maxLength: 4 }).map((parts) => `"${parts.join('')}"`);

const extensionName = token(10).filter((name) => !KNOWN_NAMES.has(name.toLowerCase()));

const extension: Member = {
  text: fc.tuple(extensionName, fc.option(fc.oneof(token(6), trickyQuoted), { nil: undefined }), ows)
    .map(([name, arg, space]) => (arg === undefined ? name : `${name}${space}=${arg}`)),
  expect: {},
};

const numericMember = (key: NumericKey): fc.Arbitrary<Member> => deltaSeconds.map(({ digits, seconds }) => ({
  text: fc.tuple(mixedCase(NUMERIC[key]), argument(digits)).map(([name, arg]) => name + arg),
  expect: { [key]: seconds },
}));

const flagMember = (key: FlagKey): fc.Arbitrary<Member> => fc.constant({ text: mixedCase(FLAGS[key]), expect: { [key]: true } });

const fieldName = token(8).map((name) => name.toLowerCase());

/** `no-cache` / `private`, bare or qualified with a list of field names (RFC 9111 §5.2.2.4, §5.2.2.7). */
const qualifiedMember = (name: 'no-cache' | 'private'): fc.Arbitrary<Member> => {
  const [flag, fieldsKey] = name === 'no-cache' ? ['noCache', 'noCacheFields'] as const : ['private', 'privateFields'] as const;
  return fc.option(fc.uniqueArray(fieldName, { minLength: 1, maxLength: 3 }), { nil: undefined }).map((fields) => {
    if (fields === undefined) return { text: mixedCase(name), expect: { [flag]: true } };
    const list = fc.tuple(fc.array(ows, { minLength: fields.length, maxLength: fields.length }), fc.boolean())
      .map(([spaces, upper]) => fields.map((f, i) => `${spaces[i]}${upper ? f.toUpperCase() : f}`).join(','));
    return {
      text: fc.tuple(mixedCase(name), list, ows).map(([n, l, space]) => `${n}${space}="${l}"`),
      expect: { [fieldsKey]: fields },
    };
  });
};

/** A set of distinct directives, each known one at most once, with extensions mixed in. */
const directives: fc.Arbitrary<Member[]> = fc.tuple(
  fc.subarray(Object.keys(NUMERIC) as NumericKey[]).chain((keys) => fc.tuple(...keys.map(numericMember))),
  fc.subarray(Object.keys(FLAGS) as FlagKey[]).chain((keys) => fc.tuple(...keys.map(flagMember))),
  fc.subarray(['no-cache', 'private'] as const).chain((names) => fc.tuple(...names.map(qualifiedMember))),
  fc.array(fc.constant(extension), { maxLength: 3 }),
).chain(([numeric, flags, qualified, extensions]) => fc.shuffledSubarray(
  [...numeric, ...flags, ...qualified, ...extensions],
  { minLength: numeric.length + flags.length + qualified.length + extensions.length },
));

/** The members written out, in order, with OWS and empty list elements between them. */
function render(members: readonly Member[]): fc.Arbitrary<string[]> {
  return fc.tuple(...members.map((m) => m.text), fc.array(fc.tuple(ows, fc.nat(2), ows), { minLength: members.length, maxLength: members.length }))
    .map((parts) => {
      const separators = parts.pop() as [string, number, string][];
      return (parts as string[]).map((text, i) => {
        const [before, empties, after] = separators[i]!;
        return `${before}${text}${after}${','.repeat(empties)}`;
      });
    });
}

function expected(members: readonly Member[]): CacheControl {
  return Object.assign({}, ...members.map((m) => m.expect)) as CacheControl;
}

const spelled = directives.chain((members) => render(members).map((texts) => ({ members, texts })));

describe('parseCacheControl (property)', () => {
  it('reads back every directive from any spelling of it, and nothing from extensions', () => {
    fc.assert(fc.property(spelled, ({ members, texts }) => {
      expect(parseCacheControl(texts.join(','))).toEqual(expected(members));
    }), SPELLING_RUNS);
  });

  it('reads several field lines as their comma-joined combination (RFC 9110 §5.3)', () => {
    const split = spelled.chain(({ members, texts }) => fc.array(fc.boolean(), { minLength: texts.length, maxLength: texts.length })
      .map((cuts) => {
        const lines: string[] = [];
        texts.forEach((text, i) => (i === 0 || cuts[i] === true ? lines.push(text) : (lines[lines.length - 1] += `,${text}`)));
        return { members, lines };
      }));
    fc.assert(fc.property(split, ({ members, lines }) => {
      expect(parseCacheControl(lines)).toEqual(expected(members));
    }), SPELLING_RUNS);
  });

  it('keeps the first occurrence of a repeated numeric directive, or its first valid one outside max-age/s-maxage', () => {
    const key = fc.constantFrom(...(Object.keys(NUMERIC) as NumericKey[]));
    const occurrence = fc.oneof(deltaSeconds.map(({ digits, seconds }) => ({ arg: digits, seconds })), fc.constantFrom('-1', '1.5', 'x', '""', '').map((arg) => ({ arg, seconds: undefined })));
    fc.assert(fc.property(key, fc.array(occurrence, { minLength: 1, maxLength: 4 }), (k, occurrences) => {
      const header = occurrences.map(({ arg }) => (arg === '' ? NUMERIC[k] : `${NUMERIC[k]}=${arg}`)).join(', ');
      const parsed = parseCacheControl(header)[k];
      if (k === 'maxAge' || k === 'sMaxAge') {
        // RFC 9111 §4.2.1: an invalid (or missing) freshness argument makes the response stale.
        expect(parsed).toBe(occurrences[0]!.seconds ?? 0);
      } else {
        const firstValid = k === 'maxStale'
          ? occurrences.map(({ arg, seconds }) => (arg === '' ? Infinity : seconds)).find((s) => s !== undefined)
          : occurrences.find(({ seconds }) => seconds !== undefined)?.seconds;
        expect(parsed).toBe(firstValid);
      }
    }), RUNS);
  });

  it('never throws, and yields only delta-seconds and lower-case field names on any input', () => {
    const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), { maxLength: 3 }));
    fc.assert(fc.property(input, (value) => {
      const cc = parseCacheControl(value);
      for (const key of Object.keys(NUMERIC) as NumericKey[]) {
        const seconds = cc[key];
        if (seconds === undefined || (key === 'maxStale' && seconds === Infinity)) continue;
        expect(Number.isInteger(seconds) && seconds >= 0 && seconds <= DELTA_SECONDS_MAX).toBe(true);
      }
      for (const fields of [cc.noCacheFields, cc.privateFields]) {
        if (fields === undefined) continue;
        expect(fields.length).toBeGreaterThan(0);
        expect(new Set(fields).size).toBe(fields.length);
        for (const field of fields) expect(field).toBe(field.trim().toLowerCase());
      }
    }), RUNS);
  });
});
