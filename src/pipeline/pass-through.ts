/**
 * Requests the cache does not answer — unsafe methods, uploads, authorized or uncacheable GETs —
 * stream to the origin and back without buffering, with backpressure both ways; the answer passes
 * on-origin-response like any other. A successful unsafe request invalidates what the cache
 * holds for its URL (RFC 9111 §4.4).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished, Transform, type Readable } from 'node:stream';
import { normalizeAddress } from '../attributes/client-ip.ts';
import { EdgehookError } from '../errors.ts';
import { absoluteUrl } from '../http/cache-key.ts';
import { canonicalUrl } from '../http/path-form.ts';
import { formatCacheStatus } from '../http/cache-status.ts';
import { countOriginFailure, toOriginError, type OriginResponse } from '../origin/origin-client.ts';
import { logOriginFailure } from './failure-log.ts';
import { setAttributeHeaders } from './attribute-keys.ts';
import type { RequestContext } from './context.ts';
import { interimResponsesTo } from './interim-responses.ts';
import { originRequestHeaders, responseHeaderPairs } from './forward-headers.ts';
import { runOriginPhase } from './origin-phase.ts';
import { readDeclaredBody } from './read-body.ts';
import { errorOutgoing, localOutgoing, respond, type BodySource } from './respond.ts';
import { pathAndQuery } from './request-view.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Request bodies up to this size with a declared length are read whole before the origin request
 * and sent with its head as one buffer, as nginx buffers bodies up to client_body_buffer_size (16
 * KB) by default. Streaming one through undici costs a 1 KB POST about twice a GET (a minimal
 * undici proxy: 152 against 76 µs of CPU, docs/performance.md); larger bodies stream.
 */
const WHOLE_BODY_MAX_BYTES = 16 * 1024;

export async function passThrough(ctx: RequestContext, reason: string): Promise<void> {
  const { deps, view } = ctx;
  if (isChunked(ctx.req) && !(await framingAccepted(ctx))) return;
  const peerAddress = normalizeAddress(ctx.req.socket.remoteAddress ?? '');
  const headers = originRequestHeaders(view, deps.forwarding, { clientIp: ctx.clientIp, peerAddress, forCacheFill: false });
  setAttributeHeaders(headers, ctx);
  const wholeLength = smallDeclaredBody(ctx);
  let body: Readable | Buffer | null;
  if (wholeLength === null) body = requestBody(ctx, headers);
  else {
    const whole = await readDeclaredBody(ctx.req, wholeLength);
    // The client went away mid-body: nothing reached the origin, and there is no one to answer.
    if (whole === null) return;
    body = whole;
  }
  const started = deps.clock.monotonic();
  let response: OriginResponse;
  try {
    response = await deps.origin.request({
      method: view.method, path: pathAndQuery(view), headers, body, parentSpan: ctx.span, onInformational: interimResponsesTo(ctx),
    });
  } catch (error) {
    const originError = toOriginError(error);
    // A refused upload (too large, or its client answered already for being too slow) is not the origin's failure.
    const clientSide = originError.code === 'EH_BODY_TOO_LARGE' || ctx.res.headersSent;
    if (!clientSide) {
      countOriginFailure(deps.metrics, originError);
      logOriginFailure(ctx, originError);
    }
    return respond(ctx, errorOutgoing(ctx, originError));
  }
  const took = deps.clock.monotonic() - started;
  deps.metrics.observeOriginLatency(took / 1000);
  ctx.access?.origin(response.status, took);
  const responseHeaders = responseHeaderPairs(response.headers);
  // Invalidation follows what the origin did, whatever a hook makes of its answer.
  if (!SAFE_METHODS.has(view.method) && response.status < 400) invalidateAfterUnsafe(ctx, responseHeaders);
  const phase = await runOriginPhase(ctx, { status: response.status, headers: responseHeaders, body: response.body }, 'pass');
  if (phase.kind === 'local') return respond(ctx, localOutgoing(ctx, phase.response, 'local'));
  const fwd = SAFE_METHODS.has(view.method) ? 'bypass' : 'method';
  const cacheStatus = formatCacheStatus(deps.cache.name, { fwd, fwdStatus: response.status, detail: reason });
  const answer: BodySource = Buffer.isBuffer(phase.body) ? { kind: 'buffer', data: phase.body } : { kind: 'stream', stream: phase.body };
  return respond(ctx, { status: phase.status, headers: phase.headers, body: answer, source: 'pass', cacheStatus, image: phase.image });
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
  // A declared length was checked against the limit by the request guard (413), and Node's parser
  // delivers exactly that many bytes: only a chunked body needs counting on the way.
  if (max === null || !isChunked(ctx.req)) return ctx.req;
  const limited = ctx.req.pipe(byteLimit(max));
  // pipe() does not pass on a client that went away: without this the origin upload (and the
  // pool, and shutdown) would wait for the rest of the body forever.
  finished(ctx.req, (error) => {
    if (error !== undefined && error !== null) limited.destroy(error);
  });
  limited.once('close', () => {
    if (limited.errored !== null || !ctx.req.complete) closeAfterResponse(ctx.req, ctx.res);
  });
  return limited;
}

/**
 * The upload was cut short — past the body limit, or the origin answered without reading it all
 * (undici then drops the body) — and the rest of it may still be coming. Node would read and
 * discard all of it to keep the connection alive, which would let any size through the limit:
 * the connection closes after the answer instead (the 413, or the origin's response).
 */
function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) {
    res.shouldKeepAlive = false;
    return;
  }
  if (res.writableFinished) req.socket.destroy();
  else res.once('finish', () => req.socket.destroy());
}

/** The declared length of a body to read whole (see WHOLE_BODY_MAX_BYTES), or null to stream it. */
function smallDeclaredBody(ctx: RequestContext): number | null {
  if (ctx.hookRequest?.body != null || isChunked(ctx.req)) return null;
  const declared = ctx.req.headers['content-length'];
  if (declared === undefined) return null;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length > 0 && length <= WHOLE_BODY_MAX_BYTES ? length : null;
}

function isChunked(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * The chunk-size check (server/chunk-framing.ts) reads each buffer just after Node's parser, so
 * a bad chunk-size line that came with the head has been judged by the next turn of the event
 * loop: waiting one turn keeps such a request from ever reaching the origin. (A bad line that
 * arrives later aborts the upload the origin has already started to receive.)
 */
async function framingAccepted(ctx: RequestContext): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  return !ctx.res.headersSent;
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
    const form = canonicalUrl(target, deps.requestRules.paths);
    if (form.ok) deps.store.purgeUrl(form.url);
  }
}
