/**
 * A cache fill: one origin fetch on behalf of every request collapsed onto a key. It applies the
 * on-origin-response phase, decides storability, and — for a storable response — starts reading
 * the body into a SharedBody that streams to every reader while it is stored. A 304 to a
 * conditional fill is folded into the stored object.
 */
import type { Readable } from 'node:stream';
import type { ImageInspection } from '../attributes/image.ts';
import { normalizeAddress } from '../attributes/client-ip.ts';
import type { CachedObject, CachedObjectMeta } from '../cache/types.ts';
import type { EdgehookError } from '../errors.ts';
import { parseCacheControl, type CacheControl } from '../http/cache-control.ts';
import { HeaderMap } from '../http/header-map.ts';
import { fieldsToStrip, isStorable } from '../http/storability.ts';
import { parseSurrogateControl, surrogateCapability } from '../http/surrogate-control.ts';
import { parseVary, variantKeyFor } from '../http/vary.ts';
import { toOriginError, type OriginResponse } from '../origin/origin-client.ts';
import { SPAN } from '../telemetry/names.ts';
import { endStoreSpan, tracePhase } from '../telemetry/pipeline-spans.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import { setAttributeHeaders } from './attribute-keys.ts';
import type { RequestContext } from './context.ts';
import { originRequestHeaders, responseHeaderPairs } from './forward-headers.ts';
import type { HookResponseState, LocalResponse } from './hook-seam.ts';
import { bufferForHook, inspectForHooks, transformForStore } from './image-fill.ts';
import { discardStream } from './read-body.ts';
import { pathAndQuery } from './request-view.ts';
import { SharedBody } from './shared-body.ts';
import { buildStoredMeta, lookupInPairs, mergeNotModified } from './stored-object.ts';

export type FillOutcome =
  /** Storable: every collapsed request may read it (if its Vary selection matches). */
  | { readonly kind: 'shared'; readonly status: number; readonly meta: CachedObjectMeta; readonly body: SharedBody }
  /** Not storable: only the leader may use it; waiters fetch for themselves. */
  | { readonly kind: 'private'; readonly status: number; readonly headers: [string, string][]; readonly body: Readable | Buffer; readonly reason: string; readonly image?: ImageInspection }
  /** The origin confirmed the stored object (304 to a conditional fill). */
  | { readonly kind: 'not-modified'; readonly object: CachedObject }
  /** A hook answered instead of the origin response. */
  | { readonly kind: 'local'; readonly response: LocalResponse }
  | { readonly kind: 'error'; readonly error: EdgehookError };

export interface FillRequest {
  readonly key: string;
  readonly url: string;
  /** The stored object being revalidated, when this is a conditional fill. */
  readonly stale: CachedObject | null;
  readonly requestCacheControl: CacheControl;
}

export async function fill(ctx: RequestContext, request: FillRequest): Promise<FillOutcome> {
  const { deps } = ctx;
  const peerAddress = normalizeAddress(ctx.req.socket.remoteAddress ?? '');
  const headers = originRequestHeaders(ctx.view, deps.forwarding, { clientIp: ctx.clientIp, peerAddress, forCacheFill: true });
  headers['surrogate-capability'] = surrogateCapability(deps.cache.name);
  setAttributeHeaders(headers, ctx);
  addValidators(headers, request.stale);
  const requestTime = deps.clock.now();
  const started = deps.clock.monotonic();
  let response: OriginResponse;
  try {
    // A HEAD miss fills with GET so that later GETs and HEADs are hits.
    response = await deps.origin.request({ method: 'GET', path: pathAndQuery(ctx.view), headers, body: null, parentSpan: ctx.span });
  } catch (error) {
    const originError = toOriginError(error);
    deps.metrics.countOriginError(originError.code);
    return { kind: 'error', error: originError };
  }
  deps.metrics.observeOriginLatency((deps.clock.monotonic() - started) / 1000);
  const responseTime = deps.clock.now();
  const timing = { requestTime, responseTime };

  if (response.status === 304 && request.stale !== null) {
    response.body.resume();
    const meta = mergeNotModified(request.stale.meta, responseHeaderPairs(response.headers), timing, deps.cache);
    deps.store.updateMeta(meta);
    return { kind: 'not-modified', object: { meta, body: request.stale.body } };
  }
  return storeOrPass(ctx, request, response, timing);
}

async function storeOrPass(
  ctx: RequestContext,
  request: FillRequest,
  response: OriginResponse,
  timing: { requestTime: number; responseTime: number },
): Promise<FillOutcome> {
  const { deps } = ctx;
  let status = response.status;
  let headers = responseHeaderPairs(response.headers);
  let body: Readable | Buffer = response.body;
  let hookState: HookResponseState | null = null;
  // Inspected before on-origin-response so its hooks see image(), and stored so hits need not decode.
  const inspected = await inspectForHooks(ctx, status, headers, body);
  body = inspected.body;
  let image = inspected.inspection;
  ctx.attributes.setImage(image);

  const chain = ctx.route?.onOriginResponse ?? null;
  if (chain !== null && ctx.hookRequest !== null) {
    hookState = { status, headers: HeaderMap.fromPairs(headers), body: null, source: 'miss', tags: [] };
    if (ctx.route!.responseBodyBytes > 0) {
      const buffered = await bufferForHook(body, ctx.route!.responseBodyBytes);
      if (buffered === null) return { kind: 'local', response: hookBufferOverflow() };
      hookState.body = buffered;
    }
    const phaseSpan = deps.tracing.startChild(ctx.span, SPAN.phase['on-origin-response']);
    const verdict = await tracePhase(phaseSpan, chain.run(ctx.hookRequest, hookState, phaseSpan));
    if (verdict.tag === 'respond') {
      discardStream(response.body);
      return { kind: 'local', response: verdict.val };
    }
    status = hookState.status;
    headers = hookState.headers.toPairs();
    if (hookState.body !== null) {
      body = hookState.body;
      headers = headers.filter(([name]) => name !== 'content-length');
      headers.push(['content-length', String(hookState.body.length)]);
    }
    if (hookState.transform !== undefined) {
      const transformed = await transformForStore(ctx, hookState.transform, status, headers, body);
      ({ headers, body } = transformed);
      image = transformed.inspection ?? image;
    }
  }

  const lookup = lookupInPairs(headers);
  const responseCacheControl = parseCacheControl(lookup('cache-control'));
  const surrogate = parseSurrogateControl(lookup('surrogate-control'), deps.cache.name);
  // Surrogate-Control is addressed to this node: it is consumed here, never passed on.
  if (lookup('surrogate-control') !== undefined) headers = headers.filter(([name]) => name !== 'surrogate-control');
  const decision = isStorable({
    method: 'GET',
    status,
    requestCacheControl: request.requestCacheControl,
    responseCacheControl: surrogate.maxAge === undefined ? responseCacheControl : overriddenBySurrogate(responseCacheControl, surrogate.maxAge),
    responseHeaders: lookup,
    requestHasAuthorization: ctx.view.header('authorization') !== undefined,
    storeSetCookie: deps.cache.storeSetCookie,
    hasDefaultTtl: deps.cache.defaultTtlSeconds !== undefined || hookState?.ttlSeconds !== undefined,
  });
  const declaredLength = Number(lookup('content-length') ?? NaN);
  let reason = decision.storable ? '' : decision.reason;
  if (surrogate.noStore === true) reason = 'surrogate-no-store';
  if (hookState?.cacheable === false) reason = 'hook';
  // A hook cannot lift RFC 9111 §3.5 (Authorization): it removes the header in on-request to mean it.
  else if (hookState?.cacheable === true && reason !== '' && reason !== 'set-cookie' && reason !== 'authorization') reason = '';
  if (reason === '' && declaredLength > deps.cache.maxObjectBytes) reason = 'too-large';
  if (reason !== '') return { kind: 'private', status, headers, body, reason, image };

  const varyNames = parseVary(lookup('vary'));
  const meta = buildStoredMeta({
    key: request.key,
    variantKey: variantKeyFor(varyNames, (name) => ctx.view.header(name)),
    url: request.url,
    status,
    headers,
    varyNames,
    ...timing,
    extraTags: hookState?.tags ?? [],
    ...ttlOverride(hookState?.ttlSeconds ?? surrogate.maxAge),
    stripFields: fieldsToStrip(responseCacheControl),
    ...(image === undefined ? {} : { attributes: { image } }),
  }, deps.cache);
  if (isUseless(meta)) return { kind: 'private', status, headers, body, reason: 'no-freshness', image };
  const shared = new SharedBody(deps.cache.maxObjectBytes);
  pumpAndStore(ctx, body, shared, meta, Number.isNaN(declaredLength) ? null : declaredLength);
  return { kind: 'shared', status, meta, body: shared };
}

/** Reads the origin body into the shared body whatever the clients do, and stores it when whole. */
function pumpAndStore(ctx: RequestContext, body: Readable | Buffer, shared: SharedBody, meta: CachedObjectMeta, declaredLength: number | null): void {
  const { deps } = ctx;
  const finish = (): void => {
    shared.end();
    const storeSpan = deps.tracing.startChild(ctx.span, SPAN.cacheStore);
    const data = shared.buffer();
    if (data === null) return endStoreSpan(storeSpan, shared.bytes, 'too-large');
    if (declaredLength !== null && data.length !== declaredLength) {
      deps.logger.warn('origin body length mismatch: not stored', { code: 'EH_ORIGIN_PROTOCOL', url: meta.url, ...traceLogFields(ctx.span) });
      return endStoreSpan(storeSpan, data.length, 'length-mismatch');
    }
    deps.store.put({ meta, body: data });
    endStoreSpan(storeSpan, data.length, null);
  };
  if (Buffer.isBuffer(body)) {
    queueMicrotask(() => {
      if (body.length > 0) shared.push(body);
      finish();
    });
    return;
  }
  body.on('data', (chunk: Buffer) => shared.push(chunk));
  body.on('end', finish);
  body.on('error', (error) => {
    deps.logger.warn('origin body failed', { code: toOriginError(error).code, url: meta.url, ...traceLogFields(ctx.span) });
    shared.fail(error);
  });
}

/**
 * Storable by the letter of RFC 9111 but never reusable: no lifetime, nothing to revalidate
 * with, no stale allowance. Storing it would only churn the store.
 */
function isUseless(meta: CachedObjectMeta): boolean {
  const { policy } = meta;
  return policy.lifetimeSeconds <= policy.initialAgeSeconds && policy.etag === undefined && policy.lastModified === undefined
    && policy.staleWhileRevalidateSeconds === 0 && policy.staleIfErrorSeconds === 0;
}

function ttlOverride(seconds: number | undefined): { ttlOverrideSeconds?: number } {
  return seconds === undefined ? {} : { ttlOverrideSeconds: seconds };
}

/** A surrogate max-age lets this node store what Cache-Control keeps from browsers and private caches. */
function overriddenBySurrogate(cc: CacheControl, maxAge: number): CacheControl {
  return { ...cc, noStore: false, private: false, noCache: false, maxAge, sMaxAge: maxAge };
}

function addValidators(headers: Record<string, string | string[]>, stale: CachedObject | null): void {
  if (stale === null) return;
  const { etag, lastModified } = stale.meta.policy;
  if (etag !== undefined) headers['if-none-match'] = etag;
  if (lastModified !== undefined) headers['if-modified-since'] = lastModified;
}

function hookBufferOverflow(): LocalResponse {
  return { status: 500, headers: [['content-type', 'text/plain']], body: Buffer.from('origin response exceeds the hook buffer limit\n') };
}
