import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from '../../../src/config/parse-host-port.ts';
import { normalizeCidr } from '../../../src/config/dsl/network.ts';

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:8080', '127.0.0.1', 8080],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['localhost:80', 'localhost', 80],
    ['edge-1.example.com:443', 'edge-1.example.com', 443],
    ['[::1]:8080', '::1', 8080],
    ['[::]:65535', '::', 65_535],
    // A port alone keeps the default host (nginx's "listen 8080", Go's ":8080"), never every address.
    ['8080', '127.0.0.1', 8080],
    [':8080', '127.0.0.1', 8080],
    [' :0 ', '127.0.0.1', 0],
  ] as const)('%s', (text, host, port) => {
    expect(parseHostPort(text)).toEqual({ host, port });
  });

  it.each([['127.0.0.1'], ['127.0.0.1:'], [':'], ['65536'], [':123456'], ['127.0.0.1:65536'], ['::1:8080'], ['[example.com]:80'], ['a b:80'], ['host:80x'], ['-bad:80']])(
    'rejects %s',
    (text) => {
      expect(parseHostPort(text)).toBeUndefined();
    },
  );

  it('formats IPv6 hosts in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatHostPort({ host: '10.0.0.1', port: 80 })).toBe('10.0.0.1:80');
  });
});

describe('normalizeCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.0.2.1', '192.0.2.1/32'],
    ['::1', '::1/128'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['10.0.0.0/08', '10.0.0.0/8'],
  ])('%s → %s', (text, normalized) => {
    expect(normalizeCidr(text)).toBe(normalized);
  });

  it.each([['300.1.1.1'], ['10.0.0.0/33'], ['::/129'], ['10.0.0.0/'], ['10.0.0.0/8/8'], ['example.com'], ['10.0.0.0/-1']])('rejects %s', (text) => {
    expect(normalizeCidr(text)).toBeUndefined();
  });
});
