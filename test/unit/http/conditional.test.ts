import { describe, expect, it } from 'vitest';
import { etagListIncludes, evaluateConditionals, type StoredValidators } from '../../../src/http/conditional.ts';
import type { HeaderLookup } from '../../../src/http/header-lookup.ts';

const lookup = (fields: Record<string, string>): HeaderLookup => (name) => fields[name];

const LM = 'Sun, 06 Nov 1994 08:49:37 GMT';
const BEFORE = 'Sat, 05 Nov 1994 08:49:37 GMT';
const AFTER = 'Mon, 07 Nov 1994 08:49:37 GMT';
const STORED: StoredValidators = { etag: '"v1"', lastModified: LM };

describe('etagListIncludes', () => {
  it.each<[string, string | undefined, boolean, boolean]>([
    ['"v1"', '"v1"', false, true],
    ['"v1"', '"v1"', true, true],
    ['"v0", "v1"', '"v1"', false, true],
    ['"v0","v1"', '"v1"', false, true],
    ['"v0"', '"v1"', true, false],
    ['W/"v1"', '"v1"', true, true],
    ['W/"v1"', '"v1"', false, false],
    ['"v1"', 'W/"v1"', true, true],
    ['"v1"', 'W/"v1"', false, false],
    ['W/"v1"', 'W/"v1"', false, false],
    ['"a,b"', '"a,b"', false, true],
    ['"a", "b"', '"a,b"', false, false],
    ['"a,b"', '"a"', true, false],
    ['"v1x"', '"v1"', true, false],
    ['"v"', '"v1"', true, false],
    ['*', '"v1"', false, true],
    [' * ', undefined, true, true],
    ['"v1"', undefined, true, false],
    ['v1', 'v1', true, true],
    ['', '"v1"', true, false],
    [' , ', '"v1"', true, false],
    // Malformed lists never produce a match they do not spell out (a false 304 is the harm).
    ['"unterminated', '"unterminated"', true, false],
    ['"a, "v1"', '"v1"', true, false],
  ])('%j includes %j (weak=%s) → %s', (list, etag, weak, expected) => {
    expect(etagListIncludes(list, etag, weak)).toBe(expected);
  });
});

describe('evaluateConditionals', () => {
  it.each<[string, string, Record<string, string>, StoredValidators, string]>([
    ['no conditionals', 'GET', {}, STORED, 'proceed'],
    ['If-None-Match matches', 'GET', { 'if-none-match': '"v1"' }, STORED, 'not-modified'],
    ['If-None-Match matches weakly', 'GET', { 'if-none-match': 'W/"v1"' }, STORED, 'not-modified'],
    ['If-None-Match matches on HEAD', 'HEAD', { 'if-none-match': '"x", "v1"' }, STORED, 'not-modified'],
    ['If-None-Match: *', 'GET', { 'if-none-match': '*' }, STORED, 'not-modified'],
    ['If-None-Match differs', 'GET', { 'if-none-match': '"v0"' }, STORED, 'proceed'],
    ['If-None-Match without a stored ETag', 'GET', { 'if-none-match': '"v1"' }, { lastModified: LM }, 'proceed'],
    ['If-None-Match on an unsafe method', 'DELETE', { 'if-none-match': '"v1"' }, STORED, 'precondition-failed'],
    ['If-None-Match differs: If-Modified-Since is not consulted', 'GET',
      { 'if-none-match': '"v0"', 'if-modified-since': AFTER }, STORED, 'proceed'],
    ['If-Modified-Since after Last-Modified', 'GET', { 'if-modified-since': AFTER }, STORED, 'not-modified'],
    ['If-Modified-Since equal to Last-Modified', 'GET', { 'if-modified-since': LM }, STORED, 'not-modified'],
    ['If-Modified-Since before Last-Modified', 'GET', { 'if-modified-since': BEFORE }, STORED, 'proceed'],
    ['If-Modified-Since invalid', 'GET', { 'if-modified-since': 'yesterday' }, STORED, 'proceed'],
    ['If-Modified-Since with two values', 'GET', { 'if-modified-since': `${AFTER}, ${AFTER}` }, STORED, 'proceed'],
    ['If-Modified-Since on POST is ignored', 'POST', { 'if-modified-since': AFTER }, STORED, 'proceed'],
    ['If-Modified-Since without Last-Modified uses the stored Date', 'GET',
      { 'if-modified-since': AFTER }, { date: LM }, 'not-modified'],
    ['If-Modified-Since without Last-Modified or Date', 'GET', { 'if-modified-since': AFTER }, {}, 'proceed'],
    ['If-Match matches strongly', 'GET', { 'if-match': '"v1"' }, STORED, 'proceed'],
    ['If-Match fails', 'GET', { 'if-match': '"v0"' }, STORED, 'precondition-failed'],
    ['If-Match with a weak tag fails (strong comparison)', 'GET', { 'if-match': 'W/"v1"' }, STORED, 'precondition-failed'],
    ['If-Match: * with a stored response', 'GET', { 'if-match': '*' }, STORED, 'proceed'],
    ['If-Match without a stored ETag', 'GET', { 'if-match': '"v1"' }, { lastModified: LM }, 'precondition-failed'],
    ['If-Unmodified-Since after Last-Modified', 'GET', { 'if-unmodified-since': AFTER }, STORED, 'proceed'],
    ['If-Unmodified-Since before Last-Modified', 'GET', { 'if-unmodified-since': BEFORE }, STORED, 'precondition-failed'],
    ['If-Unmodified-Since invalid is ignored', 'GET', { 'if-unmodified-since': 'x' }, STORED, 'proceed'],
    ['If-Unmodified-Since without Last-Modified is ignored', 'GET', { 'if-unmodified-since': BEFORE }, { etag: '"v1"' }, 'proceed'],
    ['If-Match passing overrides a failing If-Unmodified-Since', 'GET',
      { 'if-match': '"v1"', 'if-unmodified-since': BEFORE }, STORED, 'proceed'],
    ['If-Match passes, then If-None-Match matches', 'GET',
      { 'if-match': '"v1"', 'if-none-match': '"v1"' }, STORED, 'not-modified'],
    ['failing If-Match beats a matching If-None-Match', 'GET',
      { 'if-match': '"v0"', 'if-none-match': '"v1"' }, STORED, 'precondition-failed'],
    ['stored 404 ignores preconditions', 'GET', { 'if-none-match': '*', 'if-match': '"zz"' },
      { ...STORED, status: 404 }, 'proceed'],
    ['stored 200 honours them', 'GET', { 'if-none-match': '*' }, { ...STORED, status: 200 }, 'not-modified'],
  ])('%s', (_label, method, fields, stored, expected) => {
    expect(evaluateConditionals(method, lookup(fields), stored)).toBe(expected);
  });
});
