/**
 * Getting one slice for a request: from the store when it holds a fresh one (judged per slice by
 * the same rules as a whole object, client directives included), else from the origin — a
 * conditional fill when a stale copy has a validator — through the collapser, keyed per slice, so
 * concurrent requests whose ranges share a slice fetch it once.
 */
import type { CachedObject, CachedObjectMeta, HeaderPairs } from '../cache/types.ts';
import { EdgehookError } from '../errors.ts';
import type { CacheControl } from '../http/cache-control.ts';
import type { CacheStatusFwd } from '../http/cache-status.ts';
import { parseContentRange, type ContentRange } from '../http/content-range.ts';
import { recordCollapsed } from '../telemetry/pipeline-spans.ts';
import type { RequestContext } from './context.ts';
import type { FillOutcome } from './fill.ts';
import type { LocalResponse } from './hook-seam.ts';
import { discardStream, isBodyDone } from './read-body.ts';
import type { StreamedBody } from '../origin/origin-body.ts';
import { SharedBody } from './shared-body.ts';
import { fillSlice } from './slice-fill.ts';
import { sliceBounds, sliceKey } from './slice-plan.ts';
import { currentAgeOf, exceedsClientMaxAge, selectVariant, usableByWaiter } from './stored-lookup.ts';
import { buildStoredMeta, lookupInPairs } from './stored-object.ts';

/** What every slice of one request's object shares. */
export interface SliceLookup {
  readonly objectKey: string;
  readonly url: string;
  /** Bytes per slice. */
  readonly size: number;
  readonly requestCacheControl: CacheControl;
}

/** How a request got a slice: from the store, or forwarded to the origin (and why). */
export type SliceStatus =
  | { readonly hit: true }
  | { readonly hit: false; readonly fwd: CacheStatusFwd; readonly fwdStatus: number; readonly stored: boolean; readonly detail?: string };

/** One slice as this request has it. */
export interface SlicePiece {
  readonly index: number;
  /** Where the slice lies, and the object's complete length: its Content-Range. */
  readonly range: ContentRange;
  /** The slice's metadata as stored (or as received, when it is not stored): headers, validators, freshness. */
  readonly meta: CachedObjectMeta;
  readonly body: Buffer | SharedBody | StreamedBody;
  readonly status: SliceStatus;
  /** Fields kept out of the store (private= / no-cache=): for the request that fetched the slice only. */
  readonly withheld: HeaderPairs;
}

export type SliceSource =
  | { readonly kind: 'slice'; readonly piece: SlicePiece }
  /** The origin answered the object, not a slice (no Range support, 404, 5xx): serve it as unsliced. */
  | { readonly kind: 'whole'; readonly outcome: FillOutcome }
  /** The slice starts at or past the end of the object (the origin said 416). */
  | { readonly kind: 'past-end' }
  | { readonly kind: 'error'; readonly error: EdgehookError }
  | { readonly kind: 'local'; readonly response: LocalResponse };

/** What the store holds for a slice, as this request may use it. */
export type SlicePeek =
  | { readonly kind: 'fresh'; readonly object: CachedObject }
  | { readonly kind: 'stale'; readonly object: CachedObject; readonly why: 'stale' | 'request' }
  | { readonly kind: 'absent'; readonly why: 'uri-miss' | 'vary-miss' };

/**
 * The reuse rules of cache-flow.ts (RFC 9111 §4.2, client directives §5.2.1), except that a slice
 * is never served stale (max-stale, RFC 5861): it is revalidated instead.
 */
export function peekSlice(ctx: RequestContext, lookup: SliceLookup, index: number): SlicePeek {
  const stored = selectVariant(ctx, ctx.deps.store.get(sliceKey(lookup.objectKey, lookup.size, index)));
  if (stored === undefined || stored === 'vary-miss') return { kind: 'absent', why: stored ?? 'uri-miss' };
  const cc = lookup.requestCacheControl;
  const age = currentAgeOf(stored, ctx.deps.clock.now());
  const { policy } = stored.meta;
  const remaining = policy.lifetimeSeconds - age;
  const clientForbids = !ctx.deps.cache.ignoreClientNoCache && (cc.noCache === true || exceedsClientMaxAge(cc, age));
  const fresh = !policy.noCache && !clientForbids && remaining > 0 && (cc.minFresh === undefined || remaining >= cc.minFresh);
  if (fresh) return { kind: 'fresh', object: stored };
  return { kind: 'stale', object: stored, why: cc.noCache === true ? 'request' : 'stale' };
}

/** The slice from the store or the origin; never rejects. */
export async function obtainSlice(ctx: RequestContext, lookup: SliceLookup, index: number): Promise<SliceSource> {
  const peek = peekSlice(ctx, lookup, index);
  if (peek.kind === 'fresh') {
    const range = rangeOf(peek.object.meta, index, lookup.size);
    if (range !== undefined) return { kind: 'slice', piece: { index, range, meta: peek.object.meta, body: peek.object.body, status: { hit: true }, withheld: [] } };
    // Not a slice this code stored: never served, fetched again.
    ctx.deps.store.delete(sliceKey(lookup.objectKey, lookup.size, index));
  }
  const stale = peek.kind === 'stale' ? peek.object : null;
  try {
    const { outcome, leader } = await collapsedSliceFill(ctx, lookup, index, stale);
    return sourceOf(ctx, lookup, index, outcome, leader, peek.kind === 'fresh' ? 'uri-miss' : peek.why);
  } catch (error) {
    return { kind: 'error', error: EdgehookError.is(error) ? error : new EdgehookError('EH_INTERNAL', 'slice fill failed', { cause: error }) };
  }
}

/** Lets go of a slice that will not be sent, so an origin stream is not left half-read. */
export function releaseSource(source: SliceSource): void {
  if (source.kind === 'slice') releasePiece(source.piece);
  else if (source.kind === 'whole' && source.outcome.kind === 'private' && !Buffer.isBuffer(source.outcome.body)) discardStream(source.outcome.body);
}

export function releasePiece(piece: SlicePiece): void {
  const body = piece.body;
  // A stored or shared body needs nothing: a shared one goes on being filled for the store.
  if (!Buffer.isBuffer(body) && !(body instanceof SharedBody) && !isBodyDone(body)) discardStream(body);
}

async function collapsedSliceFill(ctx: RequestContext, lookup: SliceLookup, index: number, stale: CachedObject | null): Promise<{ outcome: FillOutcome; leader: boolean }> {
  const start = (): Promise<FillOutcome> => fillSlice(ctx, {
    objectKey: lookup.objectKey, index, size: lookup.size, url: lookup.url, stale, requestCacheControl: lookup.requestCacheControl,
  });
  const joined = ctx.deps.collapser.run(sliceKey(lookup.objectKey, lookup.size, index), start);
  if (joined === null) return { outcome: await start(), leader: true };
  const outcome = await joined.outcome;
  if (joined.leader) return { outcome, leader: true };
  ctx.deps.metrics.countCollapsed();
  recordCollapsed(ctx.span);
  // Not storable (private to the request that fetched it): this one fetches its own.
  if (!usableByWaiter(ctx, outcome)) return { outcome: await start(), leader: true };
  return { outcome, leader: false };
}

function sourceOf(ctx: RequestContext, lookup: SliceLookup, index: number, outcome: FillOutcome, leader: boolean, why: CacheStatusFwd): SliceSource {
  const withheld = (pairs: HeaderPairs | undefined): HeaderPairs => (leader ? pairs ?? [] : []);
  switch (outcome.kind) {
    case 'error':
      return { kind: 'error', error: outcome.error };
    case 'local':
      return { kind: 'local', response: outcome.response };
    case 'not-modified': {
      const { meta, body } = outcome.object;
      const range = rangeOf(meta, index, lookup.size);
      if (range === undefined) return { kind: 'error', error: unreadable() };
      return { kind: 'slice', piece: { index, range, meta, body, status: { hit: false, fwd: why, fwdStatus: 304, stored: true }, withheld: withheld(outcome.withheld) } };
    }
    case 'shared': {
      if (outcome.status !== 206) return { kind: 'whole', outcome };
      const range = rangeOf(outcome.meta, index, lookup.size);
      if (range === undefined) return { kind: 'error', error: unreadable() };
      const status = { hit: false as const, fwd: why, fwdStatus: 206, stored: true };
      return { kind: 'slice', piece: { index, range, meta: outcome.meta, body: outcome.body, status, withheld: withheld(outcome.withheld) } };
    }
    case 'private': {
      if (outcome.status === 416) return { kind: 'past-end' };
      if (outcome.status !== 206) return { kind: 'whole', outcome };
      const meta = transientMeta(ctx, lookup, index, outcome.headers);
      const range = rangeOf(meta, index, lookup.size);
      if (range === undefined) return { kind: 'error', error: unreadable() };
      const status = { hit: false as const, fwd: why, fwdStatus: 206, stored: false, detail: outcome.reason };
      return { kind: 'slice', piece: { index, range, meta, body: outcome.body, status, withheld: [] } };
    }
  }
}

/** Metadata of a slice that is streamed but not stored (the same facts a stored one carries). */
function transientMeta(ctx: RequestContext, lookup: SliceLookup, index: number, headers: [string, string][]): CachedObjectMeta {
  const now = ctx.deps.clock.now();
  const input = { key: sliceKey(lookup.objectKey, lookup.size, index), variantKey: '', url: lookup.url, status: 206, headers, varyNames: null, requestTime: now, responseTime: now };
  return buildStoredMeta(input, ctx.deps.cache);
}

/** The slice's Content-Range, when it is where slice `index` lies (slice-fill.ts checked it; the store may be older). */
function rangeOf(meta: CachedObjectMeta, index: number, size: number): ContentRange | undefined {
  const range = parseContentRange(lookupInPairs(meta.headers)('content-range'));
  if (range === undefined) return undefined;
  const expected = sliceBounds(index, size, range.size);
  return range.start === expected.start && range.end === expected.end ? range : undefined;
}

function unreadable(): EdgehookError {
  return new EdgehookError('EH_ORIGIN_PROTOCOL', 'slice without a valid Content-Range');
}
