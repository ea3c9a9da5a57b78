/** Client address behind trusted proxies: right-most untrusted X-Forwarded-For hop, IPv4 and IPv6. */
import { describe, expect, it } from 'vitest';
import { createClientIpResolver } from '../../src/attributes/client-ip.ts';
import { ConfigError } from '../../src/errors.ts';

const resolver = createClientIpResolver(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1/32']);

describe('client IP from X-Forwarded-For', () => {
  const cases: Array<[string, string, string | string[] | undefined, string]> = [
    ['no header: the peer', '10.0.0.1', undefined, '10.0.0.1'],
    ['spoofed header from an untrusted peer is ignored', '203.0.113.5', '198.51.100.7', '203.0.113.5'],
    ['spoofed header from an untrusted IPv6 peer is ignored', '2a02:c7f::1', '198.51.100.7', '2a02:c7f::1'],
    ['a trusted peer vouches for the hop before it', '10.0.0.1', '198.51.100.7', '198.51.100.7'],
    ['trusted hops are walked past', '10.0.0.1', '198.51.100.7, 10.0.0.2, 10.9.9.9', '198.51.100.7'],
    ['a client-supplied left part is not believed: right-most untrusted wins', '10.0.0.1', '1.1.1.1, 198.51.100.7', '198.51.100.7'],
    ['IPv6 chain', '2001:db8::1', '2a02:c7f::9, 2001:db8::5', '2a02:c7f::9'],
    ['IPv4-mapped IPv6 peer counts as its IPv4 address', '::ffff:10.0.0.1', '198.51.100.7', '198.51.100.7'],
    ['IPv4-mapped hop is reported as IPv4', '10.0.0.1', '::ffff:198.51.100.7', '198.51.100.7'],
    ['hop with a port', '10.0.0.1', '198.51.100.7:8080', '198.51.100.7'],
    ['bracketed IPv6 hop with a port', '10.0.0.1', '[2a02:c7f::9]:4711', '2a02:c7f::9'],
    ['several header lines read as one list', '10.0.0.1', ['198.51.100.7', '10.0.0.2'], '198.51.100.7'],
    ['empty list elements are skipped', '10.0.0.1', '198.51.100.7,, 10.0.0.2 ,', '198.51.100.7'],
    ['only trusted hops: the left-most', '10.0.0.1', '10.0.0.3, 10.0.0.2', '10.0.0.3'],
    ['an unreadable chain: the peer', '10.0.0.1', '198.51.100.7, garbage, 10.0.0.2', '10.0.0.1'],
    ['a non-address right-most: the peer', '10.0.0.1', '198.51.100.7, garbage', '10.0.0.1'],
  ];
  it.each(cases)('%s', (_name, peer, forwardedFor, expected) => {
    expect(resolver.resolve(peer, forwardedFor)).toBe(expected);
  });

  it('trusts nobody by default', () => {
    expect(createClientIpResolver([]).resolve('10.0.0.1', '198.51.100.7')).toBe('10.0.0.1');
  });

  it('rejects a bad trusted range at startup', () => {
    expect(() => createClientIpResolver(['10.0.0.0/99'])).toThrow(ConfigError);
  });
});
