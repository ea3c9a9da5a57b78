/**
 * Filling an image variant (a request whose key carries a transform): get the original — from
 * the store when fresh, else through the normal collapsed fill of the original's own key, which
 * also stores it — transform it once, and store the result under the variant's key. Concurrent
 * requests for one variant share this fill through the collapser, so they transform once.
 *
 * The variant inherits the original's freshness (it expires when the original does), tags and
 * URL (purging the original purges its variants). When a stale variant is refilled and the
 * original's validators are unchanged, only its freshness is renewed: nothing is transformed.
 */
import type { ImageInspection } from '../attributes/image.ts';
import type { TransformedImage } from '../attributes/transform.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import type { CachedObject, CachedObjectMeta, HeaderPairs } from '../cache/types.ts';
import { EdgehookError } from '../errors.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { absoluteUrl, primaryCacheKey } from '../http/cache-key.ts';
import { variantMatches } from '../http/vary.ts';
import { observeTransform } from '../telemetry/transform-telemetry.ts';
import { cacheKeyExtras } from './attribute-keys.ts';
import { collapsedFill } from './cache-flow.ts';
import type { RequestContext } from './context.ts';
import { fill, type FillOutcome, type FillRequest } from './fill.ts';
import { isTransformableImage } from './image-fill.ts';
import { collectBody } from './read-body.ts';
import { SharedBody } from './shared-body.ts';
import { currentAgeOf } from './stored-lookup.ts';
import { lookupInPairs } from './stored-object.ts';
import { variantHeaders } from './variant-headers.ts';

/** The original as the transform needs it; meta is null when it may not be stored (nor may the variant). */
interface SourceImage {
  readonly status: number;
  readonly headers: HeaderPairs;
  readonly body: Buffer;
  readonly meta: CachedObjectMeta | null;
}

/** What a variant remembers of its original, to tell on a refill whether the original changed. */
interface VariantSource {
  readonly etag?: string;
  readonly lastModified?: string;
  readonly bytes: number;
}

type Obtained = { readonly kind: 'source'; readonly source: SourceImage } | { readonly kind: 'as-is'; readonly outcome: FillOutcome };

export async function variantFill(ctx: RequestContext, request: FillRequest, transform: ResolvedTransform): Promise<FillOutcome> {
  const obtained = await obtainOriginal(ctx, request.requestCacheControl);
  if (obtained.kind === 'as-is') return obtained.outcome;
  const { source } = obtained;
  if (request.stale !== null && source.meta !== null && unchangedSince(request.stale, source)) return renewed(ctx, request.stale, source.meta);
  if (!isTransformableImage(source.status, source.headers)) return asIs(source, 'not-an-image');
  const outcome = await observeTransform(ctx.deps, ctx.span, transform, () => ctx.deps.attributes.transformer.transform(source.body, transform));
  if (outcome.tag === 'refused') return refusal(ctx, request, outcome.val);
  return storeVariant(ctx, request, source, outcome.val, transform);
}

/** The original's key: the same request without the variant part. */
function originalKey(ctx: RequestContext): string {
  const { view } = ctx;
  const parts = { scheme: view.scheme, authority: view.authority, path: view.path, query: view.query, extra: cacheKeyExtras(ctx, false) };
  return primaryCacheKey(parts, { sortQuery: ctx.deps.cache.sortQuery });
}

async function obtainOriginal(ctx: RequestContext, cc: CacheControl): Promise<Obtained> {
  const { deps } = ctx;
  const key = originalKey(ctx);
  const stored = matchingVariant(ctx, deps.store.get(key));
  if (stored !== undefined && isFresh(stored, deps.clock.now(), cc)) return sourceFrom(stored.meta, stored.body);
  const lookup = { key, requestCacheControl: cc, variant: null };
  let outcome = await collapsedFill(ctx, lookup, stored ?? null);
  if (outcome === 'refetch') {
    const url = absoluteUrl(ctx.view.scheme, ctx.view.authority, ctx.view.path, ctx.view.query);
    outcome = await fill(ctx, { key, url, stale: null, requestCacheControl: cc });
  }
  return fromOutcome(ctx, outcome);
}

async function fromOutcome(ctx: RequestContext, outcome: FillOutcome): Promise<Obtained> {
  switch (outcome.kind) {
    case 'not-modified':
      return sourceFrom(outcome.object.meta, outcome.object.body);
    case 'shared': {
      await outcome.body.whenSettled();
      const body = outcome.body.buffer();
      // Larger than the cache keeps whole, or the origin body failed part way.
      if (body === null) return { kind: 'as-is', outcome: { kind: 'error', error: refusedError('unreadable') } };
      return sourceFrom(outcome.meta, body);
    }
    case 'private':
      return privateSource(ctx, outcome);
    default:
      return { kind: 'as-is', outcome };
  }
}

/** An original that may not be stored: transformed for this request only, if it is an image at all. */
async function privateSource(ctx: RequestContext, outcome: Extract<FillOutcome, { kind: 'private' }>): Promise<Obtained> {
  if (!isTransformableImage(outcome.status, outcome.headers)) return { kind: 'as-is', outcome };
  const body = Buffer.isBuffer(outcome.body) ? outcome.body : await collectBody(outcome.body, ctx.deps.attributes.imageLimits.maxBytes);
  if (body === null || body.length > ctx.deps.attributes.imageLimits.maxBytes) {
    return { kind: 'as-is', outcome: { kind: 'error', error: refusedError('too-large') } };
  }
  return { kind: 'source', source: { status: outcome.status, headers: outcome.headers, body, meta: null } };
}

function sourceFrom(meta: CachedObjectMeta, body: Buffer): Obtained {
  return { kind: 'source', source: { status: meta.status, headers: meta.headers, body, meta } };
}

function matchingVariant(ctx: RequestContext, objects: readonly CachedObject[] | undefined): CachedObject | undefined {
  const header = (name: string): string | undefined => ctx.view.header(name);
  return objects?.find((object) => variantMatches(object.meta.varyNames, object.meta.variantKey, header));
}

/** Fresh enough to derive from: the request's no-cache reaches through to the original. */
function isFresh(object: CachedObject, now: number, cc: CacheControl): boolean {
  const { policy } = object.meta;
  return !policy.noCache && cc.noCache !== true && policy.lifetimeSeconds - currentAgeOf(object, now) > 0;
}

function asIs(source: SourceImage, reason: string): FillOutcome {
  return { kind: 'private', status: source.status, headers: [...source.headers] as [string, string][], body: source.body, reason };
}

function refusal(ctx: RequestContext, request: FillRequest, reason: string): FillOutcome {
  ctx.deps.logger.warn('image not transformed', { code: reason === 'busy' ? 'EH_IMAGE_BUSY' : 'EH_IMAGE_REFUSED', reason, url: request.url });
  return { kind: 'error', error: refusedError(reason) };
}

function refusedError(reason: string): EdgehookError {
  return reason === 'busy'
    ? new EdgehookError('EH_IMAGE_BUSY', 'image transforms are busy; try again')
    : new EdgehookError('EH_IMAGE_REFUSED', `image not transformed: ${reason}`);
}

function unchangedSince(stale: CachedObject, source: SourceImage): boolean {
  const recorded = stale.meta.attributes?.['variantOf'] as VariantSource | undefined;
  if (recorded === undefined || recorded.bytes !== source.body.length) return false;
  const { etag, lastModified } = source.meta!.policy;
  if (etag !== undefined) return recorded.etag === etag;
  return lastModified !== undefined && recorded.lastModified === lastModified;
}

/** The stored variant with the original's renewed freshness; its body is still right. */
function renewed(ctx: RequestContext, stale: CachedObject, original: CachedObjectMeta): FillOutcome {
  const now = ctx.deps.clock.now();
  const meta: CachedObjectMeta = { ...stale.meta, requestTime: now, responseTime: now, policy: inheritedPolicy(original, stale.meta.policy.etag, now) };
  ctx.deps.store.updateMeta(meta);
  return { kind: 'not-modified', object: { meta, body: stale.body } };
}

function inheritedPolicy(original: CachedObjectMeta, etag: string | undefined, now: number): CachedObjectMeta['policy'] {
  // The original's entity tag names the original; the variant carries its own (or none).
  const { etag: _originalTag, ...policy } = original.policy;
  return { ...policy, initialAgeSeconds: currentAgeOf({ meta: original }, now), ...(etag === undefined ? {} : { etag }) };
}

function storeVariant(ctx: RequestContext, request: FillRequest, source: SourceImage, image: TransformedImage, transform: ResolvedTransform): FillOutcome {
  const headers = variantHeaders(source.headers, image, transform);
  if (source.meta === null) return { kind: 'private', status: 200, headers, body: image.data, reason: 'uncacheable-original' };
  const now = ctx.deps.clock.now();
  const etag = lookupInPairs(headers)('etag');
  const inspection: ImageInspection = { tag: 'image', val: image.attributes };
  const variantOf: VariantSource = { ...validatorsOf(source.meta), bytes: source.body.length };
  const meta: CachedObjectMeta = {
    ...source.meta,
    key: request.key,
    status: 200,
    headers,
    requestTime: now,
    responseTime: now,
    policy: inheritedPolicy(source.meta, etag, now),
    attributes: { ...source.meta.attributes, image: inspection, variantOf },
  };
  if (image.data.length <= ctx.deps.cache.maxObjectBytes) ctx.deps.store.put({ meta, body: image.data });
  return { kind: 'shared', status: 200, meta, body: SharedBody.whole(image.data) };
}

function validatorsOf(meta: CachedObjectMeta): Omit<VariantSource, 'bytes'> {
  const { etag, lastModified } = meta.policy;
  return { ...(etag === undefined ? {} : { etag }), ...(lastModified === undefined ? {} : { lastModified }) };
}

