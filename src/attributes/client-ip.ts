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
      // Walk right to left: each trusted hop vouches for the one before it.
      for (let i = hops.length - 1; i >= 0; i--) {
        const hop = normalizeAddress(hops[i]!.trim());
        if (isIP(hop) === 0) return peer;
        if (!isTrusted(hop)) return hop;
      }
      const first = normalizeAddress(hops[0]!.trim());
      return isIP(first) === 0 ? peer : first;
    },
  };
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
