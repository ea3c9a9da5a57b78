/**
 * The one way the HTTP semantics helpers read header fields: a function from a lowercase field
 * name to the combined field value (all field lines joined with ", "), or undefined when absent.
 * A closure keeps the helpers independent of the header representation (Node's
 * IncomingHttpHeaders, HeaderMap, stored pairs) and costs nothing when a field is never read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderPairs } from '../cache/types.ts';
import type { HeaderMap } from './header-map.ts';

export type HeaderLookup = (name: string) => string | undefined;

/** A lookup that finds nothing (for callers with no headers at hand, and tests). */
export const NO_HEADERS: HeaderLookup = () => undefined;

/** Over Node's parsed headers (arrays, e.g. set-cookie, are joined with ", "). */
export function headerLookupFromNode(headers: IncomingHttpHeaders): HeaderLookup {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

export function headerLookupFromMap(map: HeaderMap): HeaderLookup {
  return (name) => map.get(name);
}

/** Over stored pairs (lowercase names). A linear scan: stored header lists are short. */
export function headerLookupFromPairs(pairs: HeaderPairs): HeaderLookup {
  return (name) => {
    let combined: string | undefined;
    for (const [field, value] of pairs) {
      if (field !== name) continue;
      combined = combined === undefined ? value : `${combined}, ${value}`;
    }
    return combined;
  };
}
