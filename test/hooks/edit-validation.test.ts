import { describe, expect, it } from 'vitest';
import { checkHeader, checkPath, checkQuery, checkStatus } from '../../src/hook-runtime/edit-validation.ts';

describe('edit validation (security: header splitting, framing, smuggling)', () => {
  it.each([
    ['x-ok', 'value', undefined],
    ['X-Mixed-Case', 'tab\tinside ok', undefined],
    ['content-length', '1', 'forbidden-name'],
    ['Transfer-Encoding', 'chunked', 'forbidden-name'],
    ['connection', 'close', 'forbidden-name'],
    ['host', 'evil.test', 'forbidden-name'],
    ['bad name', 'v', 'forbidden-name'],
    ['x-split', 'a\r\nset-cookie: x=1', 'invalid-value'],
    ['x-nul', 'a\0b', 'invalid-value'],
    ['x-long', 'v'.repeat(8193), 'too-large'],
    ['', 'v', 'forbidden-name'],
    // RFC 9110 §5.5: names are tokens; values are octets, U+0080–U+00FF being obs-text.
    ['x-caf\u00e9', 'v', 'forbidden-name'],
    ['x-latin1', 'caf\u00e9', undefined],
    ['x-obs', '\u0080\u00ff', undefined],
    ['x-del', 'a\u007fb', 'invalid-value'],
    ['x-euro', '5 \u20ac', 'invalid-value'],
    ['x-replacement', '\ufffd', 'invalid-value'],
    ['x-lone', 'a\ud800', 'invalid-value'],
    ['x-astral', '\u{1f600}', 'invalid-value'],
  ] as const)('header %j: %j → %s', (name, value, expected) => {
    expect(checkHeader(name, value)).toBe(expected);
  });

  it.each([['/a/b', undefined], ['a/b', 'invalid-value'], ['/a?b', 'invalid-value'], ['/a b', 'invalid-value'], ['/a#x', 'invalid-value']] as const)(
    'path %j → %s', (path, expected) => expect(checkPath(path)).toBe(expected));

  it.each([['a=1&b=2', undefined], ['', undefined], ['a=1#f', 'invalid-value'], ['a=\n', 'invalid-value']] as const)(
    'query %j → %s', (query, expected) => expect(checkQuery(query)).toBe(expected));

  it.each([[200, undefined], [599, undefined], [101, 'invalid-value'], [600, 'invalid-value'], [200.5, 'invalid-value']] as const)(
    'status %d → %s', (status, expected) => expect(checkStatus(status)).toBe(expected));

  // Found by test/unit/property/edit-validation.property.test.ts: values beyond U+00FF passed, then
  // Node (setHeader) and undici threw writing them, and every request the hook saw got a 500.
  it.each([
    ['!', '\u0100', 'invalid-value'],
    ['x-city', 'Łódź', 'invalid-value'],
    ['x-euro', '€', 'invalid-value'],
    ['x-replacement', '\ufffd', 'invalid-value'],
    ['x-latin1', 'Kraków \u00ff', undefined],
  ] as const)('header %j: %j → %s (field values are Latin-1 bytes on the wire)', (name, value, expected) => {
    expect(checkHeader(name, value)).toBe(expected);
  });
});
