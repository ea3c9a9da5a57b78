/**
 * Checks that span config sections and catch mistakes no single key shows: the admin API on the
 * client port or reachable beyond loopback without a token, or an origin that is edgehook itself
 * (every miss would loop until sockets run out).
 */
import { BlockList, isIP } from 'node:net';
import * as s from './dsl/index.ts';
import { formatHostPort, type HostPort } from './parse-host-port.ts';
import type { EdgehookConfig } from './types.ts';

export function checkAddresses(config: EdgehookConfig, ctx: s.ParseContext): EdgehookConfig | s.Invalid {
  let ok = true;
  if (config.admin !== null && sameAddress(config.admin, config.listen)) {
    s.report(s.at(ctx, 'admin'), `expected an address other than listen, got ${formatHostPort(config.admin)} for both`);
    ok = false;
  }
  if (config.admin !== null && config.admin.token === null && !isLoopback(config.admin.host)) {
    s.report(s.at(s.at(ctx, 'admin'), 'token'), `expected a token or token_env because admin listens beyond loopback (on ${config.admin.host}), got none`);
    ok = false;
  }
  const origin = originAddress(config.origin.url);
  if (origin !== undefined && sameAddress(origin, config.listen)) {
    s.expected(s.at(s.at(ctx, 'origin'), 'url'), 'an origin other than edgehook itself', config.origin.url, ` (listen is ${formatHostPort(config.listen)})`);
    ok = false;
  }
  return ok ? config : s.INVALID;
}

/** Port 0 binds a fresh port each time, so it never collides. */
function sameAddress(a: HostPort, b: HostPort): boolean {
  return a.port !== 0 && a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}

function originAddress(url: string): HostPort | undefined {
  const parsed = URL.parse(url);
  if (parsed === null) return undefined;
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Purge and stats must not be open to the network by accident; loopback is the only safe default. */
function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}
