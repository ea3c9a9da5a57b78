/**
 * What request attributes add to a request's identity: cache key parts (the geo bucket, the
 * canonical image transform) after any hook parts, and the geo bucket header for the origin.
 */
import { GEO_GROUP_HEADER } from '../attributes/geo-key.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import type { RequestContext } from './context.ts';

/** The variant's key part; the prefix keeps it apart from hook parts in dumps and logs. */
export function variantKeyPart(transform: ResolvedTransform): string {
  return `edgehook-image=${transform.canonical}`;
}

/** Hook parts, then the geo bucket, then (unless asked for the original's key) the variant. */
export function cacheKeyExtras(ctx: RequestContext, withVariant = true): readonly string[] {
  const hookParts = ctx.view.cacheKeyParts;
  const attributeParts = ctx.attributes.keyParts();
  const variant = withVariant ? ctx.variant : null;
  if (attributeParts.length === 0 && variant === null) return hookParts;
  return variant === null ? [...hookParts, ...attributeParts] : [...hookParts, ...attributeParts, variantKeyPart(variant)];
}

/**
 * Sets the geo bucket header on an origin request. A client's own field of that name is always
 * dropped: an origin that personalises by it would otherwise let any client choose what is
 * stored under another bucket's key (or under the shared key, with keying off).
 */
export function setAttributeHeaders(headers: Record<string, string | string[]>, ctx: RequestContext): void {
  delete headers[GEO_GROUP_HEADER];
  const bucket = ctx.attributes.geoBucket();
  if (bucket !== undefined) headers[GEO_GROUP_HEADER] = bucket;
}
