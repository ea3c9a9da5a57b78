/**
 * Reading the store on the request path: which stored variant a request selects (Vary), how old
 * an object is now, and the client's max-age reading — shared by whole objects (cache-flow.ts) and
 * slices (slice-source.ts), so both judge a stored entry by the same rules.
 */
import type { CachedObject } from '../cache/types.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { variantMatches } from '../http/vary.ts';
import type { RequestContext } from './context.ts';

/** The variant this request selects; 'vary-miss' when variants exist but none matches. */
export function selectVariant(ctx: RequestContext, variants: readonly CachedObject[] | undefined): CachedObject | 'vary-miss' | undefined {
  if (variants === undefined || variants.length === 0) return undefined;
  const header = (name: string): string | undefined => ctx.view.header(name);
  for (const object of variants) {
    if (variantMatches(object.meta.varyNames, object.meta.variantKey, header)) return object;
  }
  return 'vary-miss';
}

export function currentAgeOf(object: Pick<CachedObject, 'meta'>, now: number): number {
  const resident = Math.max(0, Math.floor((now - object.meta.responseTime) / 1000));
  return object.meta.policy.initialAgeSeconds + resident;
}

/**
 * RFC 9111 accepts age <= max-age, but max-age=0 is how clients ask for a reload (and an object
 * stored this second has age 0): it means "revalidate", as in every major cache.
 */
export function exceedsClientMaxAge(cc: CacheControl, age: number): boolean {
  return cc.maxAge !== undefined && (cc.maxAge === 0 || age > cc.maxAge);
}
