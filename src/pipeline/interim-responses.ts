/**
 * Interim (1xx) responses from the origin, passed on to the client while the final response is
 * being prepared, as RFC 9110 §15.2 asks of a proxy: 103 Early Hints (RFC 8297, so a browser can
 * start fetching what the page will need) with its fields, 102 Processing as it is. Only to
 * HTTP/1.1 clients (an HTTP/1.0 client cannot take an interim response), only before the
 * client's response has started (a background revalidation's client was answered long ago), and
 * never stored. Node can write no other interim status (and none other is registered for use
 * here), so those are dropped; 100 and 101 never get this far (undici handles them itself).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { connectionNominated, isHopByHop } from '../http/hop-by-hop.ts';
import type { RequestContext } from './context.ts';

export type InformationalListener = (status: number, headers: IncomingHttpHeaders) => void;

/** The listener for this request's origin fetch, or undefined when its client cannot take interim responses. */
export function interimResponsesTo(ctx: RequestContext): InformationalListener | undefined {
  const { req, res } = ctx;
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return undefined;
  return (status, headers) => {
    if (res.headersSent || res.destroyed) return;
    if (status === 102) res.writeProcessing();
    else if (status === 103) forwardEarlyHints(ctx, headers);
  };
}

function forwardEarlyHints(ctx: RequestContext, headers: IncomingHttpHeaders): void {
  const hints = forwardableHints(headers);
  if (hints.link === undefined) return;
  try {
    ctx.res.writeEarlyHints(hints);
  } catch (error) {
    // Node refuses a Link value it cannot vouch for; the hint is optional, the response is not.
    ctx.deps.logger.debug('early hints not forwarded', { error });
  }
}

function forwardableHints(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const nominated = connectionNominated(headers.connection);
  const hints: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !isHopByHop(name, nominated)) hints[name] = value;
  }
  return hints;
}
