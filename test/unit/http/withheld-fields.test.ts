import { describe, expect, it } from 'vitest';
import type { HeaderPairs } from '../../../src/cache/types.ts';
import { parseCacheControl } from '../../../src/http/cache-control.ts';
import { unstorableFields, withheldPairs, withWithheld } from '../../../src/http/withheld-fields.ts';

const ORIGIN: HeaderPairs = [
  ['cache-control', 'max-age=60, private="set-cookie", no-cache="x-trace"'],
  ['set-cookie', 'a=1'],
  ['x-trace', 't1'],
  ['set-cookie', 'b=2'],
  ['x-keep', 'k'],
];

describe('withheldPairs', () => {
  it.each<[string, readonly string[], [string, string][]]>([
    ['nothing listed', [], []],
    ['a field the response lacks', ['x-user'], []],
    ['every line of a repeated field, in order', ['set-cookie'], [['set-cookie', 'a=1'], ['set-cookie', 'b=2']]],
    ['several fields, in response order', ['x-trace', 'set-cookie'], [['set-cookie', 'a=1'], ['x-trace', 't1'], ['set-cookie', 'b=2']]],
  ])('%s', (_label, fields, expected) => {
    expect(withheldPairs(ORIGIN, fields)).toEqual(expected);
  });
});

describe('withWithheld', () => {
  it('returns the stored pairs themselves when nothing was withheld', () => {
    const stored: HeaderPairs = [['x-keep', 'k']];
    expect(withWithheld(stored, [])).toBe(stored);
  });

  it('appends the withheld pairs without changing the stored ones', () => {
    const stored: HeaderPairs = [['x-keep', 'k']];
    expect(withWithheld(stored, [['set-cookie', 'a=1']])).toEqual([['x-keep', 'k'], ['set-cookie', 'a=1']]);
    expect(stored).toEqual([['x-keep', 'k']]);
  });
});

describe('unstorableFields', () => {
  it.each<[string | undefined, boolean, string[]]>([
    [undefined, false, ['set-cookie']],
    [undefined, true, []],
    ['max-age=60, private="X-User"', true, ['x-user']],
    ['max-age=60, private="X-User"', false, ['x-user', 'set-cookie']],
    ['no-cache="set-cookie"', false, ['set-cookie']],
    ['private="a", no-cache="b"', true, ['a', 'b']],
  ])('%j with store_set_cookie %j → %j', (cc, storeSetCookie, expected) => {
    expect(unstorableFields(parseCacheControl(cc), storeSetCookie)).toEqual(expected);
  });
});
