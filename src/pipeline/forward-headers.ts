/**
 * Header rewriting at the two hops: client → origin and origin → client. Hop-by-hop fields (and
 * those a Connection header nominates) never cross; X-Forwarded-* and Via are added so the origin
 * knows who asked and through what, and CDN-Loop so that a request that comes back is known.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { connectionNominated, isHopByHop } from '../http/hop-by-hop.ts';
import type { RequestView } from './request-view.ts';

export interface ForwardingPolicy {
  /** Via pseudonym ("1.1 <via>"). */
  readonly via: string;
  readonly addForwardedHeaders: boolean;
  /** Host sent to the origin: the client's (preserve) or the origin's own authority. */
  readonly hostHeader: 'preserve' | 'origin';
  readonly originAuthority: string;
  /** This node's cdn-id, appended to CDN-Loop (RFC 8586). */
  readonly cdnId: string;
}

/**
 * Fields answered at this hop: Node's server already sent the client its 100 Continue, so the
 * expectation is met here (and undici refuses to send an Expect field at all).
 */
const CONSUMED_HERE = new Set(['expect']);

/** Fields a cache fill must not forward: the fill fetches the full object for everyone. */
const CLIENT_CONDITIONALS = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']);

export interface ForwardOptions {
  /** The client's address as resolved (trusted X-Forwarded-For hops walked back). */
  readonly clientIp: string;
  /**
   * The address this request came from (the socket peer): what X-Forwarded-For gets appended.
   * Absent, the resolved client address is appended, which is only right for untrusted peers.
   */
  readonly peerAddress?: string;
  /** Drop the client's conditional and Range fields (cache fills and revalidations). */
  readonly forCacheFill: boolean;
}

export function originRequestHeaders(
  view: RequestView,
  policy: ForwardingPolicy,
  options: ForwardOptions,
): Record<string, string | string[]> {
  const nominated = connectionNominated(view.header('connection'));
  const out: Record<string, string | string[]> = {};
  view.forEachHeader((rawName, value) => {
    const name = rawName.toLowerCase();
    if (isHopByHop(name, nominated) || name === 'host' || CONSUMED_HERE.has(name)) return;
    if (options.forCacheFill && CLIENT_CONDITIONALS.has(name)) return;
    appendField(out, name, value);
  });
  out.host = policy.hostHeader === 'preserve' ? view.authority : policy.originAuthority;
  if (policy.addForwardedHeaders) {
    // Each hop appends the address it got the request from, whatever it concluded the client to
    // be: the chain stays a faithful list of hops (an untrusted peer's entries are kept, not
    // believed) and the next trusted hop can walk it back the same way. Appending the resolved
    // client instead would repeat it and lose the address of the proxy that sent us the request.
    const hop = options.peerAddress ?? options.clientIp;
    const prior = out['x-forwarded-for'];
    out['x-forwarded-for'] = prior === undefined ? hop : `${joinField(prior)}, ${hop}`;
    out['x-forwarded-proto'] = view.scheme;
    out['x-forwarded-host'] = view.authority;
  }
  appendField(out, 'via', `1.1 ${policy.via}`);
  // RFC 8586 §2: appended to what came in (after any hook edits), so the request is known by
  // this node if it ever comes back, whatever the hooks did to the field.
  const loop = out['cdn-loop'];
  out['cdn-loop'] = loop === undefined ? policy.cdnId : `${joinField(loop)}, ${policy.cdnId}`;
  return out;
}

/** Origin response fields as stored and sent: lowercase pairs, hop-by-hop removed. */
export function responseHeaderPairs(headers: IncomingHttpHeaders): [string, string][] {
  const nominated = connectionNominated(headers.connection);
  const out: [string, string][] = [];
  for (const name in headers) {
    if (isHopByHop(name, nominated)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) out.push([name, item]);
    else out.push([name, value]);
  }
  return out;
}

function appendField(out: Record<string, string | string[]>, name: string, value: string): void {
  const prior = out[name];
  if (prior === undefined) out[name] = value;
  else if (Array.isArray(prior)) prior.push(value);
  else out[name] = [prior, value];
}

function joinField(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value;
}
