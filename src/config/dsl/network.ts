/** Network-shaped fields: URLs, listen addresses, hosts and CIDR ranges. */
import { isIP } from 'node:net';
import { isHost, parseHostPort, type HostPort } from '../parse-host-port.ts';
import { defineScalar, type ScalarOptions } from './scalars.ts';
import { expected, type Field } from './field.ts';

export interface UrlOptions extends ScalarOptions<string> {
  /** Accepted schemes with their colon, e.g. ['http:', 'https:']. */
  readonly protocols: readonly string[];
}

/** An absolute URL with one of the given schemes; kept as written. */
export function url(options: UrlOptions): Field<string> {
  const schemes = options.protocols.map((p) => p.replace(/:$/, ''));
  const what = `an ${schemes.join('/')} URL like "${schemes[0] ?? 'http'}://127.0.0.1:9001"`;
  return defineScalar(`${schemes.join('/')} URL`, what, (raw, ctx) => {
    if (typeof raw !== 'string') return expected(ctx, what, raw);
    const parsed = URL.parse(raw);
    if (parsed === null || !options.protocols.includes(parsed.protocol) || parsed.hostname === '') return expected(ctx, what, raw);
    // A query or fragment on a base URL would be silently dropped or misapplied on every request.
    if (parsed.search !== '' || parsed.hash !== '') return expected(ctx, `${what} without a query or fragment`, raw);
    return raw;
  }, options);
}

/** "HOST:PORT" ("[::1]:8080" for IPv6); port 0 means any free port. */
export function hostPort(options: ScalarOptions<string>): Field<HostPort> {
  const what = 'HOST:PORT like "127.0.0.1:8080"';
  return defineScalar('HOST:PORT', what, (raw, ctx) => {
    const parsed = typeof raw === 'string' ? parseHostPort(raw) : undefined;
    return parsed === undefined ? expected(ctx, what, raw) : Object.freeze(parsed);
  }, options);
}

/** An IP address or host name (IPv6 without brackets). */
export function host(options: ScalarOptions<string>): Field<string> {
  const what = 'an IP address or host name';
  return defineScalar('host', what, (raw, ctx) => (typeof raw === 'string' && isHost(raw) ? raw : expected(ctx, what, raw)), options);
}

/**
 * An IP range in CIDR notation ("10.0.0.0/8", "2001:db8::/32") or a single address, normalized
 * to address/prefix so consumers handle one form.
 */
export function cidr(options: ScalarOptions<string>): Field<string> {
  const what = 'an IP address or CIDR range like "10.0.0.0/8"';
  return defineScalar('CIDR', what, (raw, ctx) => {
    const normalized = typeof raw === 'string' ? normalizeCidr(raw) : undefined;
    return normalized === undefined ? expected(ctx, what, raw) : normalized;
  }, options);
}

export function normalizeCidr(text: string): string | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return undefined;
  const maxPrefix = family === 6 ? 128 : 32;
  if (prefixText === undefined) return `${address}/${maxPrefix}`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return undefined;
  return `${address}/${Number(prefixText)}`;
}
