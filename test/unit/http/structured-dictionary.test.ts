import { describe, expect, it } from 'vitest';
import { parseDictionary, type DictionaryMember } from '../../../src/http/structured-dictionary.ts';

/** A compact view of a parsed dictionary: key → value (inner lists as arrays), parameters dropped. */
function view(value: string): Record<string, unknown> | null {
  const members = parseDictionary(value);
  if (members === null) return null;
  const out: Record<string, unknown> = {};
  for (const [key, member] of members) out[key] = plain(member);
  return out;
}

function plain(member: DictionaryMember): unknown {
  const v = member.value;
  return v.kind === 'inner-list' ? v.items.map((item) => item.value.value) : `${v.kind}:${String(v.value)}`;
}

describe('parseDictionary (RFC 8941 §4.2.2)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['', {}],
    ['max-age=60', { 'max-age': 'integer:60' }],
    ['no-store', { 'no-store': 'boolean:true' }],
    ['no-store=?0', { 'no-store': 'boolean:false' }],
    ['  a=1,b=2  ', { a: 'integer:1', b: 'integer:2' }],
    ['a=1 ,\tb=2', { a: 'integer:1', b: 'integer:2' }],
    ['a=1, a=2', { a: 'integer:2' }],
    ['foobar, max-age=3600', { foobar: 'boolean:true', 'max-age': 'integer:3600' }],
    ['max-age=99999999999', { 'max-age': 'integer:99999999999' }],
    ['max-age=-5', { 'max-age': 'integer:-5' }],
    ['x=1.5', { x: 'decimal:1.5' }],
    ['x=123456789012.123', { x: 'decimal:123456789012.123' }],
    ['private="set-cookie, x-user"', { private: 'string:set-cookie, x-user' }],
    ['s="a\\"b\\\\c"', { s: 'string:a"b\\c' }],
    ['t=foo/bar:baz', { t: 'token:foo/bar:baz' }],
    ['t=*star', { t: 'token:*star' }],
    ['b=:aGVsbG8=:', { b: 'bytes:aGVsbG8=' }],
    ['l=(a "b" 1), m=()', { l: ['a', 'b', 1], m: [] }],
    ['max-age=60;foo=bar;baz', { 'max-age': 'integer:60' }],
    ['private;x', { private: 'boolean:true' }],
    ['*key=1, k_.-*9=2', { '*key': 'integer:1', 'k_.-*9': 'integer:2' }],
  ])('%j', (value, expected) => {
    expect(view(value)).toEqual(expected);
  });

  it.each([
    ['max-age=10000, &&&&&', 'a member that is not a key'],
    ['max-age =100', 'a space before "="'],
    ['max-age= 100', 'a space after "="'],
    ['MaX-aGe=3600', 'an upper-case key'],
    ['1a=1', 'a key starting with a digit'],
    ['a=1,', 'a trailing comma'],
    ['a=1,,b=2', 'an empty member'],
    ['a=1 b=2', 'members not separated by a comma'],
    ['a=', 'a missing value'],
    ['a="unterminated', 'an unterminated string'],
    ['a="tab\there"', 'a control character in a string'],
    ['a="\\n"', 'an escape other than \\" or \\\\'],
    ['a=1234567890123456', 'an integer over 15 digits'],
    ['a=1234567890123.5', 'a decimal with over 12 integer digits'],
    ['a=1.2345', 'a decimal with over 3 fraction digits'],
    ['a=1.', 'a decimal without fraction digits'],
    ['a=-', 'a sign without digits'],
    ['a=?2', 'a boolean other than ?0 or ?1'],
    ['a=:abc', 'an unterminated byte sequence'],
    ['a=(1 2', 'an unterminated inner list'],
    ['a=(1,2)', 'a comma inside an inner list'],
    ['a=@123', 'a Date item (RFC 9651, not accepted here)'],
    ['\ta=1', 'leading tab (only spaces may lead)'],
  ])('rejects %j (%s)', (value) => {
    expect(parseDictionary(value)).toBeNull();
  });
});
