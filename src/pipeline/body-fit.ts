/**
 * Which hooks may see a body, by its size (hooks[].body.overflow). A route buffers a body up to
 * the largest bound of the hooks on it that read bodies (RouteHooks.requestBodyBytes /
 * responseBodyBytes). Then:
 * - over that bound, with any reader whose overflow is `error` (the default): the body is refused —
 *   413 for a request, 500 for a response — before any hook runs (Envoy's rule, as before);
 * - otherwise every reader whose overflow is `pass` and whose own bound the body exceeds is skipped
 *   for it: the body goes on whole and unchanged, and the other hooks run as usual. A reader with
 *   `error` sees any body up to the route's bound, as it always did.
 * Pure, so the rule is one table of tests (test/unit/pipeline/body-fit.test.ts).
 */
import type { BodyReaderHook } from './hook-seam.ts';

export type BodyFit =
  /** The body is refused (over the route's bound, and a reader says error). */
  | { readonly tag: 'refuse' }
  /** These readers do not see it (may be empty: every hook runs). */
  | { readonly tag: 'skip'; readonly val: readonly BodyReaderHook[] };

const NONE: BodyFit = Object.freeze({ tag: 'skip', val: Object.freeze([]) });
const REFUSE: BodyFit = Object.freeze({ tag: 'refuse' });

/**
 * `length`: the body's size in bytes, or null when it is known only to be over the route's bound.
 * `readers` absent (a route built without them) counts as every reader saying `error`.
 */
export function fitBody(readers: readonly BodyReaderHook[] | undefined, length: number | null): BodyFit {
  if (length === null) return refusesOverflow(readers) ? REFUSE : { tag: 'skip', val: readers! };
  if (readers === undefined) return NONE;
  const skipped = readers.filter((reader) => reader.overflow === 'pass' && length > reader.maxBytes);
  return skipped.length === 0 ? NONE : { tag: 'skip', val: skipped };
}

/** Whether a body over the route's bound is refused: then it need not be kept whole past the bound. */
export function refusesOverflow(readers: readonly BodyReaderHook[] | undefined): boolean {
  return readers === undefined || readers.length === 0 || readers.some((reader) => reader.overflow === 'error');
}
