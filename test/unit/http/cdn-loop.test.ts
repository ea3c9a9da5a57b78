import { describe, expect, it } from 'vitest';
import { countCdnLoop } from '../../../src/http/cdn-loop.ts';

describe('countCdnLoop', () => {
  it.each<[string, string, number | null]>([
    ['', 'edgehook', 0],
    ['edgehook', 'edgehook', 1],
    ['other', 'edgehook', 0],
    ['other, edgehook', 'edgehook', 1],
    ['edgehook,edgehook , edgehook', 'edgehook', 3],
    // Exact match: a longer id, another case or a parameter value is not this cdn-id.
    ['edgehook-shield, EDGEHOOK', 'edgehook', 0],
    ['other; via=edgehook', 'edgehook', 0],
    // Parameters, with OWS around ';' and quoted values that hold commas and escaped quotes.
    ['edgehook; a=b', 'edgehook', 1],
    ['edgehook ; a=b ;c=d, other', 'edgehook', 1],
    ['other; note="a, edgehook", edgehook', 'edgehook', 1],
    ['other; note="say \\"edgehook, hi\\"", edgehook', 'edgehook', 1],
    // RFC 8586's examples: host names, ports and IPv6 literals are cdn-ids too.
    ['foo123.foocdn.example, barcdn.example; trace="abcdef"', 'barcdn.example', 1],
    ['AnotherCDN; abc=123; def="456"', 'AnotherCDN', 1],
    ['cdn.example:8080, [2001:db8::1]:443', '[2001:db8::1]:443', 1],
    // Empty list members are accepted (RFC 9110 §5.6.1).
    [' , edgehook,, ,', 'edgehook', 1],
    // Not a CDN-Loop list: refused rather than guessed at.
    ['edgehook; note="unterminated, edgehook', 'edgehook', null],
    ['edgehook; =x', 'edgehook', null],
    ['edgehook; a', 'edgehook', null],
    ['edgehook; a=', 'edgehook', null],
    ['edge hook', 'edgehook', null],
    ['"edgehook"', 'edgehook', null],
    ['edgehook/1.0', 'edgehook', null],
  ])('%j counting %j → %j', (value, id, expected) => {
    expect(countCdnLoop(value, id)).toBe(expected);
  });
});
