import { describe, expect, it } from 'vitest';
import { HOP_BY_HOP, connectionNominated, isHopByHop, stripHopByHopRaw } from '../../../src/http/hop-by-hop.ts';

describe('HOP_BY_HOP', () => {
  it('lists exactly the connection-specific fields', () => {
    expect([...HOP_BY_HOP].sort()).toEqual([
      'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
      'te', 'trailer', 'transfer-encoding', 'upgrade',
    ]);
  });
});

describe('connectionNominated', () => {
  it.each<[string | string[] | undefined, string[]]>([
    [undefined, []],
    ['', []],
    ['close', ['close']],
    ['Keep-Alive, X-Foo', ['keep-alive', 'x-foo']],
    [' ,X-Foo,, x-foo ', ['x-foo']],
    [['close', 'X-A, x-b'], ['close', 'x-a', 'x-b']],
  ])('%j → %j', (value, expected) => {
    expect([...connectionNominated(value)]).toEqual(expected);
  });
});

describe('isHopByHop', () => {
  const nominated = new Set(['x-foo']);
  it.each<[string, boolean]>([
    ['Connection', true],
    ['transfer-encoding', true],
    ['TE', true],
    ['X-Foo', true],
    ['x-bar', false],
    ['content-length', false],
    ['cache-control', false],
  ])('%s → %s', (name, expected) => {
    expect(isHopByHop(name, nominated)).toBe(expected);
  });
});

describe('stripHopByHopRaw', () => {
  it.each<[string, string[], [string, string][]]>([
    ['no headers', [], []],
    ['lowercases and keeps order and duplicates',
      ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2'],
      [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]],
    ['removes the fixed hop-by-hop fields',
      ['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'TE', 'trailers',
        'Upgrade', 'h2c', 'Proxy-Authorization', 'x', 'Proxy-Connection', 'close', 'Trailer', 'x-t',
        'Proxy-Authenticate', 'Basic', 'ETag', '"a"'],
      [['etag', '"a"']]],
    ['removes fields nominated by Connection, wherever they appear',
      ['X-Secret', 's', 'Connection', 'close, X-Secret', 'Via', '1.1 a', 'connection', 'x-other', 'X-Other', 'o'],
      [['via', '1.1 a']]],
    ['ignores a dangling name', ['Accept', '*/*', 'X-Dangling'], [['accept', '*/*']]],
  ])('%s', (_label, raw, expected) => {
    expect(stripHopByHopRaw(raw)).toEqual(expected);
  });
});
