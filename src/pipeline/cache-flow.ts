/**
 * GET and HEAD through the cache: look up the stored variants, decide fresh / stale / miss under
 * the request's own directives, and serve — from the store, after revalidating, or from a
 * collapsed fill that streams to the client while it is stored.
 */
import type { CachedObject, CachedObjectMeta, HeaderPairs } from '../cache/types.ts';
import { EdgehookError } from '../errors.ts';
import { parseCacheControl, type CacheControl } from '../http/cache-control.ts';
import { absoluteUrl, primaryCacheKey } from '../http/cache-key.ts';
import { countCdnLoop } from '../http/cdn-loop.ts';
import { formatCacheStatus } from '../http/cache-status.ts';
import { selectCacheDirectives } from '../http/targeted-cache-control.ts';
import { withWithheld } from '../http/withheld-fields.ts';
import { recordCollapsed, recordLookup } from '../telemetry/pipeline-spans.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import { cacheKeyExtras } from './attribute-keys.ts';
import type { Pending, RequestContext } from './context.ts';
import { fill, type FillOutcome } from './fill.ts';
import { passThrough } from './pass-through.ts';
import { leasedFill } from './peer-fill.ts';
import type { UncacheableMemory } from './uncacheable-memory.ts';
import { drainBody } from './read-body.ts';
import { errorOutgoing, localOutgoing, respond, type Outgoing } from './respond.ts';
import { storedOutgoing } from './serve-stored.ts';
import { isSliced, sliceFlow } from './slice-flow.ts';
import { currentAgeOf, exceedsClientMaxAge, selectVariant, usableByWaiter } from './stored-lookup.ts';
import { lookupInPairs } from './stored-object.ts';
import { variantFill } from './variant-fill.ts';

const EMPTY_CC: CacheControl = Object.freeze({});

export interface CacheLookup {
  readonly key: string;
  readonly requestCacheControl: CacheControl;
  /** The image variant this key holds: filled by transforming the original, not from the origin. */
  readonly variant: ResolvedTransform | null;
}

/** Synchronous on a fresh hit (see handler.ts); a promise when it waits on a fill or a hook. */
export function cacheFlow(ctx: RequestContext): Pending {
  const { deps } = ctx;
  const lookup = prepareLookup(ctx);
  const now = deps.clock.now();
  const stored = ctx.span === null ? selectVariant(ctx, deps.store.get(lookup.key)) : tracedLookup(ctx, lookup.key);
  if (isSliced(ctx) && !isFreshWhole(stored, now)) return slicedOrWhole(ctx, lookup, stored, now);
  return fromLookup(ctx, lookup, stored, now);
}

/** A sliced path: the slice flow answers, or hands back what the ordinary path must do. */
/** The lookup, timed and told apart (memory or disk) for its trace; only when the request is traced. */
function tracedLookup(ctx: RequestContext, key: string): CachedObject | 'vary-miss' | undefined {
  const { store, tracing } = ctx.deps;
  const readsBefore = store.diskReads?.() ?? 0;
  const startedMs = performance.now();
  const stored = selectVariant(ctx, store.get(key));
  const timing = { startedMs, endedMs: performance.now(), readDisk: (store.diskReads?.() ?? 0) !== readsBefore };
  recordLookup(tracing, ctx.span, stored === undefined ? 'miss' : stored === 'vary-miss' ? 'vary-miss' : 'hit', timing);
  return stored;
}

async function slicedOrWhole(ctx: RequestContext, lookup: CacheLookup, stored: CachedObject | 'vary-miss' | undefined, now: number): Promise<void> {
  const sliced = await sliceFlow(ctx, lookup);
  // The origin answered without slices (no Range support, an error): that answer, as a whole object.
  if (sliced.kind === 'whole') return respond(ctx, outgoingFromFill(ctx, sliced.outcome, stored === undefined ? 'uri-miss' : stored === 'vary-miss' ? 'vary-miss' : 'stale', null));
  if (sliced.kind === 'served') return;
  // 'unsliced': nothing to slice (an empty object); the ordinary path fetches it whole.
  return fromLookup(ctx, lookup, stored, now);
}

/** Fresh, stale or missing: serve, revalidate or fill. */
function fromLookup(ctx: RequestContext, lookup: CacheLookup, stored: CachedObject | 'vary-miss' | undefined, now: number): Pending {
  const { deps, view } = ctx;
  if (stored === undefined) return miss(ctx, lookup, 'uri-miss');
  if (stored === 'vary-miss') return miss(ctx, lookup, 'vary-miss');
  if (view.header('authorization') !== undefined && !sharedWithAuthorization(stored, deps.cache.targetedCacheControl)) {
    return passThrough(ctx, 'authorization');
  }
  const cc = lookup.requestCacheControl;
  const age = currentAgeOf(stored, now);
  const { policy } = stored.meta;
  const remaining = policy.lifetimeSeconds - age;
  const clientForbidsStored = !deps.cache.ignoreClientNoCache && (cc.noCache === true || exceedsClientMaxAge(cc, age));
  const freshEnough = remaining > 0 && (cc.minFresh === undefined || remaining >= cc.minFresh);

  if (!policy.noCache && !clientForbidsStored && freshEnough) {
    return respond(ctx, storedOutgoing(ctx, stored, age, formatCacheStatus(deps.cache.name, { hit: true, ttl: remaining }), 'hit'));
  }
  const mayServeStale = !policy.noCache && !policy.mustRevalidate && !clientForbidsStored;
  if (mayServeStale && cc.maxStale !== undefined && -remaining <= cc.maxStale) {
    return respond(ctx, storedOutgoing(ctx, stored, age, formatCacheStatus(deps.cache.name, { hit: true, ttl: remaining, detail: 'max-stale' }), 'stale'));
  }
  if (mayServeStale && -remaining < policy.staleWhileRevalidateSeconds) {
    revalidateInBackground(ctx, lookup, stored);
    return respond(ctx, storedOutgoing(ctx, stored, age, formatCacheStatus(deps.cache.name, { hit: true, ttl: remaining, detail: 'stale-while-revalidate' }), 'stale'));
  }
  if (cc.onlyIfCached === true) return respond(ctx, errorOutgoing(ctx, onlyIfCached()));
  return revalidate(ctx, lookup, stored, age, cc.noCache === true ? 'request' : 'stale');
}

/**
 * On a sliced path an object stored whole (its origin ignored Range) is served as it is while it is
 * fresh; once stale it is left to the slice flow, which asks for slices again.
 */
function isFreshWhole(stored: CachedObject | 'vary-miss' | undefined, now: number): boolean {
  return stored !== undefined && stored !== 'vary-miss' && stored.meta.policy.lifetimeSeconds > currentAgeOf(stored, now);
}

function prepareLookup(ctx: RequestContext): CacheLookup {
  const { view, deps } = ctx;
  const key = primaryCacheKey({
    scheme: view.scheme,
    authority: view.authority,
    path: view.path,
    query: view.query,
    extra: cacheKeyExtras(ctx),
  }, { sortQuery: deps.cache.sortQuery });
  const ccHeader = view.header('cache-control');
  let requestCacheControl = ccHeader === undefined ? EMPTY_CC : parseCacheControl(ccHeader);
  // HTTP/1.0 clients say Pragma: no-cache; honoured only when Cache-Control is absent (RFC 9111 §5.4).
  if (ccHeader === undefined && view.header('pragma')?.toLowerCase().includes('no-cache') === true) {
    requestCacheControl = { noCache: true };
  }
  return { key, requestCacheControl, variant: ctx.variant };
}

/** RFC 9111 §3.5: a response may answer an authorized request only if it said it may be shared. */
function sharedWithAuthorization(object: CachedObject, targets: readonly string[]): boolean {
  const cc = selectCacheDirectives(lookupInPairs(object.meta.headers), targets).cacheControl;
  return cc.public === true || cc.sMaxAge !== undefined || cc.mustRevalidate === true;
}

function onlyIfCached(): EdgehookError {
  return new EdgehookError('EH_ONLY_IF_CACHED', 'not in cache (only-if-cached)');
}

async function miss(ctx: RequestContext, lookup: CacheLookup, why: 'uri-miss' | 'vary-miss'): Promise<void> {
  if (lookup.requestCacheControl.onlyIfCached === true) return respond(ctx, errorOutgoing(ctx, onlyIfCached()));
  const outcome = await collapsedFill(ctx, lookup, null);
  if (outcome === 'refetch') return passThrough(ctx, 'uncacheable');
  return respond(ctx, outgoingFromFill(ctx, outcome, why, null));
}

async function revalidate(ctx: RequestContext, lookup: CacheLookup, stored: CachedObject, age: number, why: 'stale' | 'request'): Promise<void> {
  const outcome = await collapsedFill(ctx, lookup, stored);
  if (outcome === 'refetch') return passThrough(ctx, 'uncacheable');
  if (mayServeStaleOnError(outcome, stored, age, lookup.requestCacheControl)) {
    discard(outcome);
    const fwdStatus = outcome.kind === 'error' ? outcome.error.status : statusOf(outcome);
    const status = formatCacheStatus(ctx.deps.cache.name, { fwd: 'stale', fwdStatus, ttl: stored.meta.policy.lifetimeSeconds - age, detail: 'stale-if-error' });
    return respond(ctx, storedOutgoing(ctx, stored, age, status, 'stale'));
  }
  return respond(ctx, outgoingFromFill(ctx, outcome, why, stored));
}

function revalidateInBackground(ctx: RequestContext, lookup: CacheLookup, stored: CachedObject): void {
  void collapsedFill(ctx, lookup, stored, true).then(discard, (error: unknown) => {
    ctx.deps.logger.warn('background revalidation failed', { key: lookup.key, error, ...traceLogFields(ctx.span) });
  });
}

/**
 * Joins (or leads) the fill for this key. Resolves to 'refetch' when this request cannot use the
 * shared outcome: it was not storable (private to the leader), or the Vary selection differs.
 */
export async function collapsedFill(ctx: RequestContext, lookup: CacheLookup, stale: CachedObject | null, background = false): Promise<FillOutcome | 'refetch'> {
  // The absolute URL (for purge matching) is only needed when something may be stored.
  const url = absoluteUrl(ctx.view.scheme, ctx.view.authority, ctx.view.path, ctx.view.query);
  const request = { key: lookup.key, url, stale, requestCacheControl: lookup.requestCacheControl };
  const memory = ctx.deps.uncacheable;
  const start = (): Promise<FillOutcome> => {
    const outcome = lookup.variant === null ? fill(ctx, request) : variantFill(ctx, request, lookup.variant);
    return memory === null ? outcome : outcome.then((settled) => noteStorability(ctx, memory, lookup.key, settled));
  };
  // Credentials decide what an answer may be shared with, so an authorized request fills alone;
  // so does one whose URL answered uncacheably a moment ago (uncacheable-memory.ts).
  if (ctx.view.header('authorization') !== undefined || cameBackRoundLoop(ctx) || memory?.has(lookup.key, ctx.deps.clock.now()) === true) {
    return start();
  }
  // The group's leader also collapses with the other workers' (peer-fill.ts).
  const joined = ctx.deps.collapser.run(lookup.key, () => leasedFill(ctx, request, start));
  if (joined === null) return start();
  const outcome = await joined.outcome;
  if (joined.leader || background) return outcome;
  ctx.deps.metrics.countCollapsed();
  recordCollapsed(ctx.span);
  if (usableByWaiter(ctx, outcome)) return forWaiter(outcome);
  // Passing a variant request through would send the untransformed original: it fills alone instead.
  return lookup.variant === null ? 'refetch' : start();
}

/** Hit-for-miss bookkeeping: what the response said about storing this key. */
function noteStorability(ctx: RequestContext, memory: UncacheableMemory, key: string, outcome: FillOutcome): FillOutcome {
  if (outcome.kind === 'shared' || outcome.kind === 'not-modified') memory.forget(key);
  // Only what the response decided: a request's own no-store or credentials say nothing of the URL.
  else if (outcome.kind === 'private' && !REQUEST_REASONS.has(outcome.reason)) memory.remember(key, ctx.deps.clock.now());
  return outcome;
}

const REQUEST_REASONS = new Set(['request-no-store', 'authorization', 'method']);

/** A waiter's answer is a reuse: it never gets the fields withheld for the leader (http/withheld-fields). */
function forWaiter(outcome: FillOutcome): FillOutcome {
  const shared = outcome.kind === 'shared' || outcome.kind === 'not-modified';
  return shared && outcome.withheld !== undefined && outcome.withheld.length > 0 ? { ...outcome, withheld: [] } : outcome;
}

/** The object as the leader's response shows it: the stored fields plus those withheld from the store. */
function forLeader<T extends { readonly meta: CachedObjectMeta }>(object: T, withheld: HeaderPairs | undefined): T {
  if (withheld === undefined || withheld.length === 0) return object;
  return { ...object, meta: { ...object.meta, headers: withWithheld(object.meta.headers, withheld) } };
}

/**
 * A request that already passed through this node (its CDN-Loop names us, within the allowed
 * occurrences) may be the very fetch a fill is waiting for: joining that fill would wait on
 * itself until the origin timeout. It fills alone, and the loop ends in a 508 a round later.
 */
function cameBackRoundLoop(ctx: RequestContext): boolean {
  const loop = ctx.view.header('cdn-loop');
  return loop !== undefined && (countCdnLoop(loop, ctx.deps.forwarding.cdnId) ?? 0) > 0;
}

function mayServeStaleOnError(outcome: FillOutcome, stored: CachedObject, age: number, cc: CacheControl): boolean {
  const failed = outcome.kind === 'error' || ((outcome.kind === 'shared' || outcome.kind === 'private') && outcome.status >= 500);
  if (!failed || stored.meta.policy.mustRevalidate || stored.meta.policy.noCache) return false;
  const window = Math.max(stored.meta.policy.staleIfErrorSeconds, cc.staleIfError ?? 0);
  return age - stored.meta.policy.lifetimeSeconds < window;
}

function statusOf(outcome: FillOutcome): number {
  return outcome.kind === 'shared' || outcome.kind === 'private' ? outcome.status : 0;
}

function discard(outcome: FillOutcome | 'refetch'): void {
  if (outcome !== 'refetch' && outcome.kind === 'private' && !Buffer.isBuffer(outcome.body)) drainBody(outcome.body);
}

function outgoingFromFill(ctx: RequestContext, outcome: FillOutcome, why: 'uri-miss' | 'vary-miss' | 'stale' | 'request', stale: CachedObject | null): Outgoing {
  const name = ctx.deps.cache.name;
  const now = ctx.deps.clock.now();
  switch (outcome.kind) {
    case 'not-modified': {
      const freshAge = currentAgeOf(outcome.object, now);
      const ttl = outcome.object.meta.policy.lifetimeSeconds - freshAge;
      return storedOutgoing(ctx, forLeader(outcome.object, outcome.withheld), freshAge, formatCacheStatus(name, { fwd: why, fwdStatus: 304, ttl, stored: true }), 'revalidated');
    }
    case 'shared': {
      const object = forLeader({ meta: outcome.meta, body: null }, outcome.withheld);
      const ttl = outcome.meta.policy.lifetimeSeconds - outcome.meta.policy.initialAgeSeconds;
      const status = formatCacheStatus(name, { fwd: why, fwdStatus: outcome.status, ttl, stored: true });
      return storedOutgoing(ctx, object, outcome.meta.policy.initialAgeSeconds, status, stale === null ? 'miss' : 'revalidated', outcome.body);
    }
    case 'private': {
      const status = formatCacheStatus(name, { fwd: why, fwdStatus: outcome.status, detail: outcome.reason });
      const body = Buffer.isBuffer(outcome.body) ? { kind: 'buffer' as const, data: outcome.body } : { kind: 'stream' as const, stream: outcome.body };
      return { status: outcome.status, headers: outcome.headers, body, source: 'miss', cacheStatus: status, uncacheable: true, image: outcome.image };
    }
    case 'local':
      return localOutgoing(ctx, outcome.response, 'local');
    case 'error':
      return errorOutgoing(ctx, outcome.error);
  }
}
