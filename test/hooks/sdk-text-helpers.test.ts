/**
 * The AssemblyScript SDK's text helpers (hooks/assemblyscript/edgehook.as: Json, base64url, hex,
 * queryParam, withoutQueryParams), table-driven through a real component (test/fixtures/hooks/
 * sdk-text.as) on the direct binding. The examples lean on them for configs, signatures and JWTs.
 */
import { describe, expect, it } from 'vitest';
import { makeRequest } from './support/states.ts';
import { loadFixtureHook } from './support/load-hook.ts';

async function run(config: string, init: Parameters<typeof makeRequest>[0] = {}): Promise<Record<string, string>> {
  const { hook } = await loadFixtureHook('sdk-text', { config });
  const verdict = await hook.invoke('on-request', makeRequest(init), null);
  if (verdict.tag !== 'respond') throw new Error('expected respond');
  return Object.fromEntries(verdict.val.headers);
}

describe('AssemblyScript SDK: Json', () => {
  it.each([
    ['{"s":"x","n":42,"b":true,"l":["p","q"],"o":{"k":null}}', '{"s":"x","n":42.0,"b":true,"l":["p","q"],"o":{"k":null}}'],
    ['  [1, 2.5e1, -3, []] \n', '[1.0,25.0,-3.0,[]]'],
    ['"a\\n\\u00e9\\"\\/\\\\"', '"a\\né\\"/\\\\"'],
    ['{}', '{}'],
    ['{"a":}', 'invalid'],
    ['{"a":1,}', 'invalid'],
    ['[1 2]', 'invalid'],
    ['{"a":"open', 'invalid'],
    ['nul', 'invalid'],
    ['{"a":1} x', 'invalid'],
    ['"\\u12G4"', 'invalid'],
    ['"tab\there"', 'invalid'],
    ['', 'invalid'],
    [`${'['.repeat(32)}${']'.repeat(32)}`, `${'['.repeat(32)}${']'.repeat(32)}`],
    [`${'['.repeat(34)}${']'.repeat(34)}`, 'invalid'],
  ])('parses %j as %s', async (config, shown) => {
    expect((await run(config))['x-json']).toBe(shown);
  });

  it('reads typed members, the last of duplicate keys, and skips non-strings in string lists', async () => {
    expect((await run('{"s":"first","s":"second","n":1.5,"b":true,"l":["a",1,"b"]}'))['x-lookup']).toBe('second|1.5|true|a,b');
    expect((await run('{"s":1,"n":"1","b":"yes"}'))['x-lookup']).toBe('-|NaN|false|');
  });
});

describe('AssemblyScript SDK: base64url and hex', () => {
  it.each([
    ['aGVsbG8', 'hello'],
    ['aGVsbG8=', 'hello'],
    ['__8-', '\xff\xff\x3e'],
    ['', ''],
  ])('decodes %j', async (input, bytes) => {
    const raw = Buffer.from(bytes, 'latin1');
    expect((await run('{}', { headers: [['x-b64', input]] }))['x-b64']).toBe(`${raw.toString('hex')} ${raw.toString('base64url')}`);
  });

  // Not canonical: bad length or characters, too much padding, padding on a partial quantum,
  // non-zero unused bits ('aGVsbG9' would decode to "hello" too).
  it.each(['a', 'a+b/', 'aGVs bG8', 'aGVsbG8===', 'aGVsbG8==', 'aGVsbG9', '=='])('refuses %j', async (input) => {
    expect((await run('{}', { headers: [['x-b64', input]] }))['x-b64']).toBe('invalid');
  });
});

describe('AssemblyScript SDK: query helpers', () => {
  it.each([
    ['x=1&a=2&a=3&sig=s', '2', 'x=1&a=2&a=3'],
    ['a&sig', '', 'a'],
    ['b=1', '(none)', 'b=1'],
    ['sig=1&&x=2', '(none)', 'x=2'],
    ['', '(none)', ''],
  ])('reads %j', async (query, param, stripped) => {
    const headers = await run('{}', { query });
    expect([headers['x-param'], headers['x-stripped']]).toEqual([param, stripped]);
  });
});
