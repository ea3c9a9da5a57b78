/**
 * Requests the cache does not answer — unsafe methods, uploads, authorized or uncacheable GETs —
 * stream to the origin and back without buffering, with backpressure both ways. A successful
 * unsafe request invalidates what the cache holds for its URL (RFC 9111 §4.4).
 */
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { EdgehookError } from '../errors.ts';
import { absoluteUrl } from '../http/cache-key.ts';
import { formatCacheStatus } from '../http/cache-status.ts';
import { toOriginError, type OriginResponse } from '../origin/origin-client.ts';
import type { RequestContext } from './context.ts';
import { originRequestHeaders, responseHeaderPairs } from './forward-headers.ts';
import { errorOutgoing, respond } from './respond.ts';
import { pathAndQuery } from './request-view.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export async function passThrough(ctx: RequestContext, reason: string): Promise<void> {
  const { deps, view } = ctx;
  const headers = originRequestHeaders(view, deps.forwarding, { clientIp: ctx.clientIp, forCacheFill: false });
  const body = requestBody(ctx, headers);
  const started = deps.clock.monotonic();
  let response: OriginResponse;
  try {
    response = await deps.origin.request({ method: view.method, path: pathAndQuery(view), headers, body });
  } catch (error) {
    const originError = toOriginError(error);
    if (originError.code !== 'EH_BODY_TOO_LARGE') deps.metrics.countOriginError(originError.code);
    return respond(ctx, errorOutgoing(ctx, originError));
  }
  deps.metrics.observeOriginLatency((deps.clock.monotonic() - started) / 1000);
  const responseHeaders = responseHeaderPairs(response.headers);
  if (!SAFE_METHODS.has(view.method) && response.status < 400) invalidateAfterUnsafe(ctx, responseHeaders);
  const fwd = SAFE_METHODS.has(view.method) ? 'bypass' : 'method';
  const cacheStatus = formatCacheStatus(deps.cache.name, { fwd, fwdStatus: response.status, detail: reason });
  return respond(ctx, { status: response.status, headers: responseHeaders, body: { kind: 'stream', stream: response.body }, source: 'pass', cacheStatus });
}

function requestBody(ctx: RequestContext, headers: Record<string, string | string[]>): Readable | Buffer | null {
  const buffered = ctx.hookRequest?.body ?? null;
  if (buffered !== null) {
    // A hook may have replaced the body: frame what is actually sent.
    delete headers['transfer-encoding'];
    headers['content-length'] = String(buffered.length);
    return buffered;
  }
  if (!hasRequestBody(ctx.req)) return null;
  const max = ctx.deps.limits.maxBodyBytes;
  return max === null ? ctx.req : ctx.req.pipe(byteLimit(max));
}

export function hasRequestBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/** Counts a streamed (chunked) body and fails it past the limit: the request becomes a 413. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new EdgehookError('EH_BODY_TOO_LARGE', `request body larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}

/** RFC 9111 §4.4: the target URI, and Location / Content-Location on the same authority. */
function invalidateAfterUnsafe(ctx: RequestContext, responseHeaders: readonly (readonly [string, string])[]): void {
  const { view, deps } = ctx;
  const base = absoluteUrl(view.scheme, view.authority, view.path, view.query);
  deps.store.purgeUrl(base);
  for (const [name, value] of responseHeaders) {
    if (name !== 'location' && name !== 'content-location') continue;
    let target: URL;
    try {
      target = new URL(value, base);
    } catch {
      continue;
    }
    if (target.host.toLowerCase() !== view.authority) continue;
    deps.store.purgeUrl(absoluteUrl(view.scheme, view.authority, target.pathname, target.search.slice(1)));
  }
}
