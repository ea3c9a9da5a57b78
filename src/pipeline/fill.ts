/**
 * A cache fill: one origin fetch on behalf of every request collapsed onto a key. It runs the
 * on-origin-response phase (origin-phase.ts), decides storability of what the phase left, and —
 * for a storable response — starts reading the body into a SharedBody that streams to every
 * reader while it is stored. A 304 to a conditional fill is folded into the stored object.
 */
import type { ImageInspection } from '../attributes/image.ts';
import { normalizeAddress } from '../attributes/client-ip.ts';
import type { CachedObject, CachedObjectMeta, HeaderPairs } from '../cache/types.ts';
import type { EdgehookError } from '../errors.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { fieldsToStrip, isStorable } from '../http/storability.ts';
import { parseSurrogateControl, surrogateCapability } from '../http/surrogate-control.ts';
import { selectCacheDirectives } from '../http/targeted-cache-control.ts';
import { parseVary, variantKeyFor } from '../http/vary.ts';
import { withheldPairs } from '../http/withheld-fields.ts';
import { OriginBody, type StreamedBody } from '../origin/origin-body.ts';
import { countOriginFailure, toOriginError, type OriginResponse } from '../origin/origin-client.ts';
import { logOriginFailure } from './failure-log.ts';
import { SPAN } from '../telemetry/names.ts';
import { endStoreSpan } from '../telemetry/pipeline-spans.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import { setAttributeHeaders } from './attribute-keys.ts';
import type { RequestContext } from './context.ts';
import { interimResponsesTo } from './interim-responses.ts';
import { originRequestHeaders, responseHeaderPairs } from './forward-headers.ts';
import { discardStream } from './read-body.ts';
import type { LocalResponse } from './hook-seam.ts';
import { runOriginPhase, type OriginAnswer, type OriginPhaseResult } from './origin-phase.ts';
import { pathAndQuery } from './request-view.ts';
import { SharedBody } from './shared-body.ts';
import { buildStoredMeta, lookupInPairs, mergeNotModified } from './stored-object.ts';

export type FillOutcome =
  /** Storable: every collapsed request may read it (if its Vary selection matches). */
  | {
    readonly kind: 'shared'; readonly status: number; readonly meta: CachedObjectMeta; readonly body: SharedBody;
    /** Fields private= / no-cache= keep out of meta: for the leader's response only (http/withheld-fields). */
    readonly withheld?: HeaderPairs;
  }
  /** Not storable: only the leader may use it; waiters fetch for themselves. */
  | { readonly kind: 'private'; readonly status: number; readonly headers: [string, string][]; readonly body: StreamedBody | Buffer; readonly reason: string; readonly image?: ImageInspection }
  /** The origin confirmed the stored object (304 to a conditional fill). */
  | { readonly kind: 'not-modified'; readonly object: CachedObject; readonly withheld?: HeaderPairs }
  /**
   * A hook answered in on-origin-response instead of the origin's response: every request
   * collapsed onto the fetch gets the same answer, and it is not stored.
   */
  | { readonly kind: 'local'; readonly response: LocalResponse }
  | { readonly kind: 'error'; readonly error: EdgehookError };

export interface FillRequest {
  readonly key: string;
  readonly url: string;
  /** The stored object being revalidated, when this is a conditional fill. */
  readonly stale: CachedObject | null;
  readonly requestCacheControl: CacheControl;
  /**
   * The response is a 206 slice of a 200 (slice-fill.ts): it is judged storable as the 200 it is
   * part of, since edgehook never stores a 206 for itself.
   */
  readonly slice?: boolean;
}

export async function fill(ctx: RequestContext, request: FillRequest): Promise<FillOutcome> {
  const fetched = await fetchForFill(ctx, request.stale);
  if (fetched.kind === 'error') return fetched;
  const { response, headerPairs, timing } = fetched;
  if (response.status === 304 && request.stale !== null) {
    response.body.dump();
    return notModified(ctx, request.stale, { status: 304, headers: headerPairs, body: Buffer.alloc(0) }, timing);
  }
  const answer: OriginAnswer = { status: response.status, headers: headerPairs, body: response.body };
  const phase = await runOriginPhase(ctx, answer, 'miss');
  if (phase.kind === 'local') return { kind: 'local', response: phase.response };
  return storeOrPass(ctx, request, phase, timing);
}

export type FillFetch =
  | { readonly kind: 'fetched'; readonly response: OriginResponse; readonly headerPairs: [string, string][]; readonly timing: Timing }
  | { readonly kind: 'error'; readonly error: EdgehookError };

/**
 * The origin request of a fill (a whole object, or one slice when `range` is given): the client's
 * conditionals and Range dropped (a fill fetches for everyone), the stale copy's validators added.
 * A HEAD fills with GET, so that later GETs and HEADs are hits.
 */
export async function fetchForFill(ctx: RequestContext, stale: CachedObject | null, range?: string): Promise<FillFetch> {
  const { deps } = ctx;
  const peerAddress = normalizeAddress(ctx.req.socket.remoteAddress ?? '');
  const headers = originRequestHeaders(ctx.view, deps.forwarding, { clientIp: ctx.clientIp, peerAddress, forCacheFill: true });
  headers['surrogate-capability'] = surrogateCapability(deps.cache.name);
  setAttributeHeaders(headers, ctx);
  if (range !== undefined) headers.range = range;
  addValidators(headers, stale);
  const requestTime = deps.clock.now();
  const started = deps.clock.monotonic();
  let response: OriginResponse;
  try {
    response = await deps.origin.request({
      method: 'GET', path: pathAndQuery(ctx.view), headers, body: null, cacheFill: true, parentSpan: ctx.span, onInformational: interimResponsesTo(ctx),
    });
  } catch (error) {
    const originError = toOriginError(error);
    countOriginFailure(deps.metrics, originError);
    logOriginFailure(ctx, originError);
    return { kind: 'error', error: originError };
  }
  const took = deps.clock.monotonic() - started;
  deps.metrics.observeOriginLatency(took / 1000);
  ctx.access?.origin(response.status, took);
  return { kind: 'fetched', response, headerPairs: responseHeaderPairs(response.headers), timing: { requestTime, responseTime: deps.clock.now() } };
}

/** The origin confirmed the stored object: what on-origin-response left of the 304 is merged into it. */
export async function notModified(ctx: RequestContext, stale: CachedObject, answer: OriginAnswer, timing: Timing): Promise<FillOutcome> {
  const { deps } = ctx;
  const phase = await runOriginPhase(ctx, answer, 'revalidated');
  if (phase.kind === 'local') return { kind: 'local', response: phase.response };
  const { meta, withheld } = mergeNotModified(stale.meta, phase.headers, timing, deps.cache, phase.directives?.ttlSeconds);
  deps.store.updateMeta(meta);
  return { kind: 'not-modified', object: { meta, body: stale.body }, withheld };
}

export type Timing = { readonly requestTime: number; readonly responseTime: number };

/** Decides whether the response (as on-origin-response left it) is stored, and starts storing it. */
export function storeOrPass(ctx: RequestContext, request: FillRequest, phase: Extract<OriginPhaseResult, { kind: 'continue' }>, timing: Timing): FillOutcome {
  const { deps } = ctx;
  const { status, body, image } = phase;
  let { headers } = phase;
  const hook = phase.directives;
  const lookup = lookupInPairs(headers);
  // RFC 9213: a targeted field (CDN-Cache-Control, …) on the target list replaces Cache-Control and Expires.
  const directives = selectCacheDirectives(lookup, deps.cache.targetedCacheControl);
  const responseCacheControl = directives.cacheControl;
  const surrogate = parseSurrogateControl(lookup('surrogate-control'), deps.cache.name);
  // Surrogate-Control is addressed to this node: it is consumed here, never passed on.
  if (lookup('surrogate-control') !== undefined) headers = headers.filter(([name]) => name !== 'surrogate-control');
  const decision = isStorable({
    method: 'GET',
    status: request.slice === true ? 200 : status,
    requestCacheControl: request.requestCacheControl,
    responseCacheControl: surrogate.maxAge === undefined ? responseCacheControl : overriddenBySurrogate(responseCacheControl, surrogate.maxAge),
    responseHeaders: directives.lookup,
    requestHasAuthorization: ctx.view.header('authorization') !== undefined,
    storeSetCookie: deps.cache.storeSetCookie,
    hasDefaultTtl: deps.cache.defaultTtlSeconds !== undefined || hook?.ttlSeconds !== undefined,
  });
  const declaredLength = Number(lookup('content-length') ?? NaN);
  let reason = decision.storable ? '' : decision.reason;
  if (surrogate.noStore === true) reason = 'surrogate-no-store';
  if (hook?.cacheable === false) reason = 'hook';
  // A hook cannot lift RFC 9111 §3.5 (Authorization): it removes the header in on-request to mean it.
  else if (hook?.cacheable === true && reason !== '' && reason !== 'set-cookie' && reason !== 'authorization') reason = '';
  if (reason === '' && declaredLength > deps.cache.maxObjectBytes) reason = 'too-large';
  if (reason !== '') return { kind: 'private', status, headers, body, reason, image };

  const varyNames = parseVary(lookup('vary'));
  const stripFields = fieldsToStrip(responseCacheControl);
  const meta = buildStoredMeta({
    key: request.key,
    variantKey: variantKeyFor(varyNames, (name) => ctx.view.header(name)),
    url: request.url,
    status,
    headers,
    varyNames,
    ...timing,
    extraTags: hook?.tags ?? [],
    ...ttlOverride(hook?.ttlSeconds ?? surrogate.maxAge),
    stripFields,
    ...(image === undefined ? {} : { attributes: { image } }),
  }, deps.cache);
  if (isUseless(meta)) return { kind: 'private', status, headers, body, reason: 'no-freshness', image };
  const shared = new SharedBody({
    retainBytes: deps.cache.maxObjectBytes,
    pauseLag: deps.cache.fill.pauseOriginLag,
    maxReaderLag: deps.cache.fill.maxReaderLag,
    onReaderCut: (lag) => {
      deps.metrics.countClientCut('shared-body-lag');
      deps.logger.warn('slow client cut from a shared fill', { code: 'EH_CLIENT_TOO_SLOW', url: meta.url, lag_bytes: lag, ...traceLogFields(ctx.span) });
    },
  });
  pumpAndStore(ctx, body, shared, meta, Number.isNaN(declaredLength) ? null : declaredLength);
  return { kind: 'shared', status, meta, body: shared, withheld: withheldPairs(headers, stripFields) };
}

/**
 * Reads the origin body into the shared body, which paces it (see shared-body.ts), and stores it
 * when whole.
 */
function pumpAndStore(ctx: RequestContext, body: StreamedBody | Buffer, shared: SharedBody, meta: CachedObjectMeta, declaredLength: number | null): void {
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
  const failed = (error: Error): void => {
    if (shared.abandoned) return;
    deps.logger.warn('origin body failed', { code: toOriginError(error).code, url: meta.url, ...traceLogFields(ctx.span) });
    shared.fail(error);
  };
  shared.attachSource({ pause: () => body.pause(), resume: () => body.resume(), abandon: () => discardStream(body) });
  if (body instanceof OriginBody) {
    // The shared body paces the origin itself (attachSource): every chunk is taken. Started on
    // the next turn, as a stream's 'data' flow would be, so the request that leads the fill has
    // subscribed before a body too large to keep starts dropping what nobody has read.
    setImmediate(() => body.pipeTo({ write: (chunk) => (shared.push(chunk), true), end: finish, error: failed }));
    return;
  }
  body.on('data', (chunk: Buffer) => shared.push(chunk));
  body.on('end', finish);
  body.on('error', failed);
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
