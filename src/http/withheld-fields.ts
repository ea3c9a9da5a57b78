/**
 * Fields the cache withholds from reuse but not from the client whose request fetched them.
 * `private="f"` forbids a shared cache to store f (RFC 9111 §5.2.2.7) and `no-cache="f"` forbids
 * sending f in a response to a later request without revalidating (§5.2.2.4): both are about
 * reuse. The response to the request that caused the fetch is not a reuse, so it keeps them —
 * the origin's `Set-Cookie` under `private="set-cookie"` must reach the user it was meant for —
 * while the stored copy, its hits and the requests collapsed onto the fill go without.
 */
import type { HeaderPairs } from '../cache/types.ts';
import type { CacheControl } from './cache-control.ts';
import { fieldsToStrip } from './storability.ts';

/**
 * Names of the fields a response may not leave in the store: those private= / no-cache= name, and
 * Set-Cookie unless `cache.store_set_cookie` allows it. A 200 carrying Set-Cookie is not stored at
 * all in that case (storability.ts); this list is for what a 304 would merge into a stored copy.
 */
export function unstorableFields(cc: CacheControl, storeSetCookie: boolean): string[] {
  const fields = fieldsToStrip(cc);
  if (!storeSetCookie && !fields.includes('set-cookie')) fields.push('set-cookie');
  return fields;
}

/** The pairs of `headers` whose (lowercase) name is in `fields`, in order; [] when none. */
export function withheldPairs(headers: HeaderPairs, fields: readonly string[]): [string, string][] {
  if (fields.length === 0) return [];
  const out: [string, string][] = [];
  for (const [name, value] of headers) if (fields.includes(name)) out.push([name, value]);
  return out;
}

/** `stored` with the withheld pairs put back, for the one client entitled to them. */
export function withWithheld(stored: HeaderPairs, withheld: HeaderPairs): HeaderPairs {
  return withheld.length === 0 ? stored : [...stored, ...withheld];
}
