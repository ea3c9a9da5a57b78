/**
 * The client's address: the socket peer, or — only when the peer is a configured trusted proxy —
 * the right-most address in X-Forwarded-For that is not itself trusted. A spoofed X-Forwarded-For
 * from an untrusted peer is ignored. The trust list is compiled once into a net.BlockList.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors.ts';

export interface ClientIpResolver {
  resolve(peerAddress: string | undefined, forwardedFor: string | string[] | undefined): string;
  isTrusted(address: string): boolean;
}

export function createClientIpResolver(trustedCidrs: readonly string[]): ClientIpResolver {
  const trusted = compileCidrs(trustedCidrs);
  const isTrusted = (address: string): boolean => {
    if (trusted === null) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return {
    isTrusted,
    resolve(peerAddress, forwardedFor) {
      const peer = normalizeAddress(peerAddress ?? '');
      if (forwardedFor === undefined || !isTrusted(peer)) return peer;
      const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
      let leftmost = peer;
      // Walk right to left: each trusted hop vouches for the one before it. An entry that is not
      // an address means the chain cannot be read: only the peer itself is known for sure.
      for (let i = hops.length - 1; i >= 0; i--) {
        const text = hops[i]!.trim();
        if (text === '') continue;
        const hop = hopAddress(text);
        if (hop === null) return peer;
        if (!isTrusted(hop)) return hop;
        leftmost = hop;
      }
      return leftmost;
    },
  };
}

/**
 * One X-Forwarded-For entry as an address: some proxies append a port ("192.0.2.1:4711",
 * "[2001:db8::1]:4711") or bracket IPv6 ("[2001:db8::1]"). null when it is no address at all.
 */
function hopAddress(text: string): string | null {
  let candidate = text;
  if (candidate.startsWith('[')) {
    const close = candidate.indexOf(']');
    candidate = close === -1 ? '' : candidate.slice(1, close);
  } else if (candidate.indexOf(':') !== -1 && candidate.indexOf(':') === candidate.lastIndexOf(':')) {
    candidate = candidate.slice(0, candidate.indexOf(':'));
  }
  const address = normalizeAddress(candidate);
  return isIP(address) === 0 ? null : address;
}

/** IPv4-mapped IPv6 peers ("::ffff:1.2.3.4") are reported as plain IPv4. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function compileCidrs(cidrs: readonly string[]): BlockList | null {
  if (cidrs.length === 0) return null;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefixText] = cidr.split('/');
    const family = isIP(address);
    if (family === 0) throw new ConfigError(`proxy.trusted_proxies: "${cidr}" is not an IP address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefixText === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new ConfigError(`proxy.trusted_proxies: "${cidr}" has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, type);
  }
  return list;
}
