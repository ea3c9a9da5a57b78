/**
 * Properties of the primary cache key and path normalisation (src/http/cache-key.ts). The key is
 * the cache's identity function, so it must be exact both ways: every spelling of one resource
 * maps to one key (else the hit rate suffers and purges miss copies), and different resources
 * never share one (else one client's response is served for another's URL: cache poisoning).
 * normalizePath is checked against a literal transcription of RFC 3986 §5.2.4 and §6.2.2.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteUrl, normalizeAuthority, normalizePath, primaryCacheKey, type CacheKeyParts } from '../../../src/http/cache-key.ts';
import { checkLabel, LIMITS } from '../../../src/hook-runtime/edit-validation.ts';
import { charFrom, mixedCase, originFormPath, segment, stringFrom, UNRESERVED } from './http-arbitraries.ts';

const RUNS = { numRuns: 2000 };

/** RFC 3986 §6.2.2.1–2: uppercase every escape, then decode the ones of unreserved characters. */
function referencePercentNormalisation(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (escape, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.includes(c) ? c : escape.toUpperCase();
  });
}

/** RFC 3986 §5.2.4, transcribed step by step (input buffer → output buffer). */
function referenceRemoveDotSegments(path: string): string {
  let input = path;
  let output = '';
  const dropLastSegment = (): void => {
    output = output.slice(0, Math.max(0, output.lastIndexOf('/')));
  };
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      dropLastSegment();
    } else if (input === '/..') {
      input = '/';
      dropLastSegment();
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', 1);
      const first = next === -1 ? input : input.slice(0, next);
      output += first;
      input = input.slice(first.length);
    }
  }
  return output;
}

const PCHAR_OR_ESCAPE = "(?:[-._~0-9A-Za-z!$&'()*+,;=:@]|%[0-9A-F]{2})";
const ORIGIN_FORM_PATH = new RegExp(`^(?:/${PCHAR_OR_ESCAPE}*)+$`);

/** Paths as the request guard passes them: "/" then anything but controls and whitespace. */
const guardedPath: fc.Arbitrary<string> = fc.oneof(
  originFormPath,
  fc.string({ unit: fc.oneof(charFrom('/.%2eE'), fc.string({ unit: 'grapheme-ascii', maxLength: 1 })), maxLength: 16 })
    .map((rest) => `/${rest.replace(/[\s]/g, '')}`),
);

describe('normalizePath (property)', () => {
  it('is idempotent', () => {
    fc.assert(fc.property(guardedPath, (path) => {
      const once = normalizePath(path);
      expect(normalizePath(once)).toBe(once);
    }), RUNS);
  });

  // The reference is the whole of what normalizePath promises; a new step (merging slashes, say)
  // belongs here too, in RFC 3986's order.
  it('agrees with RFC 3986 §6.2.2 percent normalisation followed by §5.2.4 dot-segment removal', () => {
    fc.assert(fc.property(guardedPath, (path) => {
      expect(normalizePath(path)).toBe(referenceRemoveDotSegments(referencePercentNormalisation(path)) || '/');
    }), RUNS);
  });

  it('never climbs above the root and leaves no dot segment, escaped or not', () => {
    fc.assert(fc.property(guardedPath, (path) => {
      const normalised = normalizePath(path);
      expect(normalised.startsWith('/')).toBe(true);
      for (const part of normalised.split('/')) expect(['.', '..']).not.toContain(referencePercentNormalisation(part));
    }), RUNS);
  });

  it('turns a valid origin-form path into a valid origin-form path with uppercase escapes', () => {
    fc.assert(fc.property(originFormPath, (path) => {
      expect(normalizePath(path)).toMatch(ORIGIN_FORM_PATH);
    }), RUNS);
  });
});

/** A resource in canonical form: what the key should be built from. */
interface Resource {
  scheme: 'http' | 'https';
  host: string;
  /** '' = the default port. */
  port: string;
  path: string;
  query: string;
}

const DEFAULT_PORT = { http: '80', https: '443' } as const;

/** A non-reserved byte escape in canonical (uppercase) form. */
const canonicalEscape = fc.integer({ min: 0, max: 255 })
  .filter((byte) => !UNRESERVED.includes(String.fromCharCode(byte)))
  .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
const canonicalPchar = fc.oneof({ weight: 5, arbitrary: charFrom(`${UNRESERVED}!$&'()*+,;=:@`) }, { weight: 1, arbitrary: canonicalEscape });
const canonicalSegment = fc.array(canonicalPchar, { maxLength: 4 }).filter((u) => !['.', '..'].includes(u.join('')));
const canonicalQueryUnit = fc.oneof({ weight: 6, arbitrary: canonicalPchar }, { weight: 1, arbitrary: charFrom('/?&=') });

/**
 * Two sequences that agree except in one window (`prefix + a + suffix` vs `prefix + b + suffix`).
 * Collisions hide in near misses ("?a" vs "a", "/x/" vs "/x"); two independent random values
 * almost never are one.
 */
function nearPair<T>(unit: fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<[T[], T[]]> {
  const part = fc.array(unit, { maxLength });
  return fc.tuple(part, part, part, part).map(([prefix, a, b, suffix]) => [[...prefix, ...a, ...suffix], [...prefix, ...b, ...suffix]]);
}

const hostName = stringFrom('abcdefghijklmnopqrstuvwxyz0123456789.-', { minLength: 1, maxLength: 10 });
const ipv6Literal = stringFrom('0123456789abcdef:', { minLength: 2, maxLength: 10 }).map((inner) => `[${inner}]`);

const host = fc.oneof({ weight: 4, arbitrary: hostName }, { weight: 1, arbitrary: ipv6Literal });
const port = fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 65_535 }).map(String));
const pathOf = (segments: string[][]): string => `/${segments.map((units) => units.join('')).join('/')}`;

function canonical(r: Resource): Resource {
  return r.port === DEFAULT_PORT[r.scheme] ? { ...r, port: '' } : r;
}

const resource: fc.Arbitrary<Resource> = fc.record({
  scheme: fc.constantFrom('http', 'https'),
  host,
  port,
  path: fc.array(canonicalSegment, { maxLength: 5 }).map(pathOf),
  query: fc.array(canonicalQueryUnit, { maxLength: 8 }).map((units) => units.join('')),
}).map(canonical);

/** Two resources that differ in one component, and there only in a small window. */
const neighbours: fc.Arbitrary<[Resource, Resource]> = fc.tuple(resource, fc.constantFrom('scheme', 'host', 'port', 'path', 'query'))
  .chain(([base, field]): fc.Arbitrary<[Resource, Resource]> => {
    switch (field) {
      case 'scheme': return fc.constant([base, canonical({ ...base, scheme: base.scheme === 'http' ? 'https' : 'http' })]);
      case 'host': return nearPair(charFrom('abc0.-'), 2)
        .filter(([a, b]) => a.length > 0 && b.length > 0)
        .map(([a, b]) => [{ ...base, host: a.join('') }, { ...base, host: b.join('') }]);
      case 'port': return port.map((p) => [base, canonical({ ...base, port: p })]);
      case 'path': return nearPair(canonicalSegment, 2).map(([a, b]) => [{ ...base, path: pathOf(a) }, { ...base, path: pathOf(b) }]);
      case 'query': return nearPair(canonicalQueryUnit, 3).map(([a, b]) => [{ ...base, query: a.join('') }, { ...base, query: b.join('') }]);
    }
  });

function keyOf(r: Resource, extra?: readonly string[]): string {
  const authority = r.port === '' ? r.host : `${r.host}:${r.port}`;
  return primaryCacheKey({ scheme: r.scheme, authority, path: r.path, query: r.query, ...(extra === undefined ? {} : { extra }) });
}

/** Re-spells an unreserved character as an escape, or an escape in lowercase hex, at random. */
function respellChar(c: string, how: number): string {
  if (UNRESERVED.includes(c) && how % 3 === 0) {
    const hex = c.charCodeAt(0).toString(16);
    return `%${how % 2 === 0 ? hex : hex.toUpperCase()}`;
  }
  return c;
}

const respelled = (text: string): fc.Arbitrary<string> => fc.array(fc.nat(5), { minLength: text.length, maxLength: text.length })
  .map((hows) => [...text].map((c, i) => respellChar(c, hows[i]!)).join('').replace(/%[0-9A-F]{2}/g, (e) => (hows[0]! % 2 === 0 ? e.toLowerCase() : e)));

/** Inserts `x/../` or `./` before some non-final segments: the same path, spelled longer. */
const withDotSegments = (path: string): fc.Arbitrary<string> => {
  const segments = path.slice(1).split('/');
  return fc.array(fc.constantFrom('', 'x/../', './', '%2E/', 'a/b/%2e%2E/../'), { minLength: segments.length, maxLength: segments.length })
    .map((detours) => `/${segments.map((s, i) => (i < segments.length - 1 ? detours[i]! : '') + s).join('/')}`);
};

interface Spelling extends CacheKeyParts {
  readonly resource: Resource;
}

const spelling: fc.Arbitrary<Spelling> = resource.chain((r) => fc.record({
  scheme: mixedCase(r.scheme),
  host: mixedCase(r.host),
  userinfo: fc.constantFrom('', 'user@', 'user:pw@'),
  port: r.port === ''
    ? fc.constantFrom('', ':', `:${DEFAULT_PORT[r.scheme]}`, `:0${DEFAULT_PORT[r.scheme]}`)
    : fc.constantFrom(`:${r.port}`, `:0${r.port}`, `:00${r.port}`),
  path: respelled(r.path).chain(withDotSegments),
  query: respelled(r.query),
}).map((s) => ({ resource: r, scheme: s.scheme, authority: `${s.userinfo}${s.host}${s.port}`, path: s.path, query: s.query })));

describe('primaryCacheKey (property)', () => {
  it('maps every spelling of a resource to the key of its canonical form', () => {
    fc.assert(fc.property(spelling, (s) => {
      expect(primaryCacheKey(s)).toBe(keyOf(s.resource));
    }), RUNS);
  });

  it('gives different resources different keys', () => {
    fc.assert(fc.property(neighbours, ([a, b]) => {
      fc.pre(JSON.stringify(a) !== JSON.stringify(b));
      expect(keyOf(a)).not.toBe(keyOf(b));
    }), RUNS);
  });

  it('keeps extra key parts apart from the URL and from each other (no NUL or concatenation collisions)', () => {
    const label = stringFrom(Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join(''), { minLength: 1, maxLength: 4 })
      .filter((part) => checkLabel(part, LIMITS.cacheKeyPart) === undefined);
    // Config- and hook-made parts are labels; the helper's own contract is "anything but NUL".
    const part = fc.oneof(label, fc.string({ unit: 'binary', maxLength: 3 }).filter((p) => !p.includes('\u0000')));
    const keyed = fc.tuple(neighbours, nearPair(part, 2));
    fc.assert(fc.property(keyed, ([[ra, rb], [ea, eb]]) => {
      fc.pre(JSON.stringify([ra, ea]) !== JSON.stringify([rb, eb]));
      expect(keyOf(ra, ea)).not.toBe(keyOf(rb, eb));
    }), RUNS);
  });

  it('with sortQuery, ignores the order of differently named parameters and nothing else', () => {
    const param = fc.tuple(stringFrom('abcxyz', { minLength: 1, maxLength: 3 }), stringFrom('0123', { maxLength: 2 }))
      .map(([name, value]) => `${name}=${value}`);
    const params = fc.uniqueArray(param, { maxLength: 5, selector: (p) => p.slice(0, p.indexOf('=')) });
    fc.assert(fc.property(params.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
      const key = (q: string[]): string => absoluteUrl('http', 'a', '/', q.join('&'), { sortQuery: true });
      expect(key(shuffled)).toBe(key(list));
      if (list.length > 0) expect(key(list.slice(1))).not.toBe(key(list));
    }), RUNS);
  });
});

describe('normalizeAuthority (property)', () => {
  it('is idempotent', () => {
    fc.assert(fc.property(fc.constantFrom('http', 'https'), spelling, (scheme, s) => {
      const once = normalizeAuthority(scheme, s.authority);
      expect(normalizeAuthority(scheme, once)).toBe(once);
    }), RUNS);
  });

  it('never throws on any Host value', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (authority) => {
      expect(typeof normalizeAuthority('http', authority)).toBe('string');
    }), RUNS);
  });

  it('keeps a path that already is normalised unchanged through absoluteUrl', () => {
    fc.assert(fc.property(fc.array(segment, { maxLength: 5 }), (segments) => {
      const path = normalizePath(`/${segments.join('/')}`);
      expect(absoluteUrl('http', 'a', path, '')).toBe(`http://a${path}`);
    }), RUNS);
  });
});
