/**
 * Reading the store on the request path: which stored variant a request selects (Vary), how old
 * an object is now, the client's max-age reading, and what a collapsed request may take of a fill —
 * shared by whole objects (cache-flow.ts) and slices (slice-source.ts), so both judge alike.
 */
import type { CachedObject } from '../cache/types.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { variantMatches } from '../http/vary.ts';
import type { RequestContext } from './context.ts';
import type { FillOutcome } from './fill.ts';

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

/**
 * Whether a request collapsed onto another's fill may use its outcome: a stored response its
 * Vary selection matches (whole, replayable), or the one answer everyone gets — the origin's
 * failure, or a hook's reply to it. An uncacheable response was the leader's alone.
 */
export function usableByWaiter(ctx: RequestContext, outcome: FillOutcome): boolean {
  const header = (name: string): string | undefined => ctx.view.header(name);
  switch (outcome.kind) {
    case 'shared':
      return variantMatches(outcome.meta.varyNames, outcome.meta.variantKey, header) && outcome.body.complete;
    case 'not-modified':
      return variantMatches(outcome.object.meta.varyNames, outcome.object.meta.variantKey, header);
    case 'private':
      return false;
    case 'error':
    case 'local':
      return true;
  }
}
