/**
 * GET and HEAD on a sliced path (`cache.slice`), the way nginx's slice module serves them: the
 * object is fetched from the origin and stored in aligned slices, never whole, and a request is
 * answered from the slices its bytes lie in. The first slice the request needs (the base: the one
 * holding the start of its range, else slice 0) gives the object's head, length and version; the
 * client's conditionals and Range are then decided exactly as for a stored object
 * (serve-stored.ts), and the body streams slice by slice (slice-stream.ts).
 *
 * Cache-Status reports what the answer's slices were: `hit` when every one was stored and fresh,
 * else the first one forwarded — `partial` (RFC 9211) when others were stored, with fwd-status
 * and `stored` when that slice was fetched before the head went out (the base).
 *
 * Not sliced: requests with Authorization (credentials decide what may be shared: they take the
 * ordinary path), image variants, and routes whose on-origin-response hooks buffer response
 * bodies — such a hook must see the whole object, never one slice of it.
 */
import type { CachedObjectMeta } from '../cache/types.ts';
import { EdgehookError } from '../errors.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { absoluteUrl } from '../http/cache-key.ts';
import { formatCacheStatus, type CacheStatusFwd } from '../http/cache-status.ts';
import { withWithheld } from '../http/withheld-fields.ts';
import type { RequestContext } from './context.ts';
import type { FillOutcome } from './fill.ts';
import type { ResponseSource } from './hook-seam.ts';
import { errorOutgoing, localOutgoing, respond } from './respond.ts';
import { answerOutgoing, planStoredAnswer, type StoredAnswer } from './serve-stored.ts';
import { firstSliceWanted, sliceIndexOf } from './slice-plan.ts';
import { obtainSlice, peekSlice, releasePiece, type SliceLookup, type SlicePiece, type SliceSource } from './slice-source.ts';
import { slicedBody } from './slice-stream.ts';
import { currentAgeOf } from './stored-lookup.ts';

export type SliceFlowResult =
  | { readonly kind: 'served' }
  /** The origin answered the object itself (no Range support, an error status): the caller serves it unsliced. */
  | { readonly kind: 'whole'; readonly outcome: FillOutcome }
  /** There is nothing to slice (the origin refused slice 0 as past the end: an empty object). */
  | { readonly kind: 'unsliced' };

const SERVED: SliceFlowResult = Object.freeze({ kind: 'served' });

/**
 * Slices of an answer judged for its Cache-Status before the head goes out. Judging reads each
 * from the store (from a disk tier: copied and checksummed), so a 1 GiB answer is judged by its
 * first slices — the ones it is about to send — and says so when the rest were not looked at.
 */
const JUDGED_SLICES = 16;

/** Whether this request is served from slices. */
export function isSliced(ctx: RequestContext): boolean {
  const slice = ctx.deps.cache.slice;
  if (slice === null || ctx.variant !== null || ctx.view.header('authorization') !== undefined) return false;
  const route = ctx.route;
  // The route keeps one response buffer size for both phases, so an on-response body buffer counts too.
  if (route !== null && route.onOriginResponse !== null && route.responseBodyBytes > 0) return false;
  return slice.covers(ctx.view.path);
}

/** Serves the request from slices, unless the origin answers without them (the caller then serves that). */
export async function sliceFlow(ctx: RequestContext, object: { readonly key: string; readonly requestCacheControl: CacheControl }): Promise<SliceFlowResult> {
  const { view } = ctx;
  const lookup: SliceLookup = {
    objectKey: object.key,
    // Every slice carries the object's URL (and tags), so purging the object purges them all.
    url: absoluteUrl(view.scheme, view.authority, view.path, view.query),
    size: ctx.deps.cache.slice!.size,
    requestCacheControl: object.requestCacheControl,
  };
  const onlyIfCached = object.requestCacheControl.onlyIfCached === true;
  const wanted = firstSliceWanted(ctx.view.header('range'), lookup.size);
  let source = await baseSlice(ctx, lookup, wanted, onlyIfCached);
  // Past the end: the length (and the head) come from slice 0; the answer is then a 416.
  if (source.kind === 'past-end' && wanted > 0) source = await baseSlice(ctx, lookup, 0, onlyIfCached);
  switch (source.kind) {
    case 'whole':
      return { kind: 'whole', outcome: source.outcome };
    case 'past-end':
      return { kind: 'unsliced' };
    case 'error':
      await respond(ctx, errorOutgoing(ctx, source.error));
      return SERVED;
    case 'local':
      await respond(ctx, localOutgoing(ctx, source.response, 'local'));
      return SERVED;
    case 'slice':
      await serveFromSlices(ctx, lookup, source.piece, onlyIfCached);
      return SERVED;
  }
}

async function baseSlice(ctx: RequestContext, lookup: SliceLookup, index: number, onlyIfCached: boolean): Promise<SliceSource> {
  if (onlyIfCached && peekSlice(ctx, lookup, index).kind !== 'fresh') return { kind: 'error', error: notCached() };
  return obtainSlice(ctx, lookup, index);
}

async function serveFromSlices(ctx: RequestContext, lookup: SliceLookup, base: SlicePiece, onlyIfCached: boolean): Promise<void> {
  const meta = objectMeta(base);
  const answer = planStoredAnswer(ctx, meta, base.range.size);
  const covered = coveredSlices(ctx, answer, base, lookup.size);
  const judgedCount = onlyIfCached ? covered.count : Math.min(covered.count, JUDGED_SLICES);
  const statuses: SlicePiece['status'][] = [];
  for (let index = covered.first; index < covered.first + judgedCount; index++) {
    statuses.push(index === base.index ? base.status : peekStatus(ctx, lookup, index));
  }
  if (onlyIfCached && statuses.some((status) => !status.hit)) {
    releasePiece(base);
    return respond(ctx, errorOutgoing(ctx, notCached()));
  }
  const age = currentAgeOf(base, ctx.deps.clock.now());
  const ttl = base.meta.policy.lifetimeSeconds - age;
  const report = cacheStatusOf(ctx, statuses, ttl, covered.count - judgedCount);
  let opened = false;
  const body = slicedBody(ctx, lookup, base, () => {
    opened = true;
  });
  const out = answerOutgoing(ctx, { meta, body: null }, answer, age, report.cacheStatus, report.source, body);
  if (!opened) releasePiece(base);
  return respond(ctx, out);
}

/** The object's head as the base slice shows it: a 200 of the complete length (its validators are the object's). */
function objectMeta(base: SlicePiece): CachedObjectMeta {
  const headers: [string, string][] = [];
  for (const [name, value] of withWithheld(base.meta.headers, base.withheld)) {
    if (name !== 'content-range' && name !== 'content-length') headers.push([name, value]);
  }
  headers.push(['content-length', String(base.range.size)]);
  return { ...base.meta, status: 200, headers };
}

/** The slices an answer's body reads (only the base for an answer without one: its head comes from there). */
function coveredSlices(ctx: RequestContext, answer: StoredAnswer, base: SlicePiece, size: number): { first: number; count: number } {
  if (answer.kind === 'range') return spanOf(answer.start, answer.end, size);
  if (answer.kind === 'whole' && ctx.view.method !== 'HEAD') return spanOf(0, base.range.size - 1, size);
  return { first: base.index, count: 1 };
}

function spanOf(start: number, end: number, size: number): { first: number; count: number } {
  const first = sliceIndexOf(start, size);
  return { first, count: sliceIndexOf(end, size) - first + 1 };
}

function peekStatus(ctx: RequestContext, lookup: SliceLookup, index: number): SlicePiece['status'] {
  const peek = peekSlice(ctx, lookup, index);
  if (peek.kind === 'fresh') return { hit: true };
  // Not fetched yet: no fwd-status to report.
  return { hit: false, fwd: peek.why, fwdStatus: 0, stored: false };
}

function cacheStatusOf(ctx: RequestContext, statuses: readonly SlicePiece['status'][], ttl: number, unjudged: number): { cacheStatus: string; source: ResponseSource } {
  const name = ctx.deps.cache.name;
  const forwarded = statuses.find((status) => !status.hit);
  if (forwarded === undefined || forwarded.hit) {
    const detail = unjudged > 0 ? { detail: `first-${statuses.length}-slices` } : {};
    return { cacheStatus: formatCacheStatus(name, { hit: true, ttl, ...detail }), source: 'hit' };
  }
  const someStored = statuses.some((status) => status.hit);
  const fwd: CacheStatusFwd = someStored && (forwarded.fwd === 'uri-miss' || forwarded.fwd === 'vary-miss') ? 'partial' : forwarded.fwd;
  const fetched = forwarded.fwdStatus !== 0;
  const cacheStatus = formatCacheStatus(name, {
    fwd,
    ...(fetched ? { fwdStatus: forwarded.fwdStatus } : {}),
    ttl,
    stored: fetched && forwarded.stored,
    ...(forwarded.detail === undefined ? {} : { detail: forwarded.detail }),
  });
  const revalidated = forwarded.fwdStatus === 304 && statuses.filter((status) => !status.hit).length === 1;
  return { cacheStatus, source: revalidated ? 'revalidated' : 'miss' };
}

function notCached(): EdgehookError {
  return new EdgehookError('EH_ONLY_IF_CACHED', 'not in cache (only-if-cached)');
}
