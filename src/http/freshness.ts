/**
 * Freshness lifetime and current age (RFC 9111 §4.2). Pure: every time is passed in (ms since the
 * epoch) and results are whole seconds, the unit of max-age and Age.
 */
import { parseAge } from './age.ts';
import type { CacheControl } from './cache-control.ts';
import type { HeaderLookup } from './header-lookup.ts';
import { parseHttpDate } from './http-date.ts';

export type { HeaderLookup } from './header-lookup.ts';

/** When the request that produced a stored response was sent and when the response arrived (ms). */
export interface ResponseTiming {
  requestTime: number;
  responseTime: number;
}

export interface FreshnessOptions {
  /** Shared caches honour s-maxage; edgehook is always shared, the flag keeps the rule visible. */
  shared: boolean;
  /** Fraction of (Date − Last-Modified) used as heuristic lifetime; RFC 9111 suggests 0.1. */
  heuristicFraction: number;
  heuristicMaxSeconds: number;
  /** Lifetime when neither explicit freshness nor a heuristic applies (config default TTL). */
  defaultTtlSeconds?: number;
  /**
   * Origination time (ms) to use when Date is absent or invalid — normally the responseTime.
   * RFC 9110 §6.6.1 has a recipient add Date on receipt; this covers callers that did not.
   * Without it, Expires and the heuristic cannot be evaluated and contribute 0.
   */
  dateFallback?: number;
}

/** RFC 9110 §15.1 plus RFC 7538 (308): status codes a cache may store with a heuristic lifetime. */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([
  200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
]);

export function isHeuristicallyCacheable(status: number): boolean {
  return HEURISTICALLY_CACHEABLE.has(status);
}

/**
 * Freshness lifetime in seconds (RFC 9111 §4.2.1), first match wins: s-maxage (shared caches),
 * max-age, Expires − Date (an invalid Expires means already expired: 0), a Last-Modified
 * heuristic for heuristically cacheable or `public` responses (RFC 9111 §4.2.2), the default TTL,
 * else 0. The heuristic applies whenever Last-Modified and Date are valid, even if it yields 0
 * (Last-Modified at or after Date): a response modified this instant is a poor candidate for a
 * blanket default TTL.
 */
export function freshnessLifetime(
  status: number,
  headers: HeaderLookup,
  cc: CacheControl,
  opts: FreshnessOptions,
): number {
  if (opts.shared && cc.sMaxAge !== undefined) return cc.sMaxAge;
  if (cc.maxAge !== undefined) return cc.maxAge;
  const expires = headers('expires');
  if (expires !== undefined) return expiresLifetime(expires, headers, opts.dateFallback);
  if (isHeuristicallyCacheable(status) || cc.public === true) {
    const heuristic = heuristicLifetime(headers, opts);
    if (heuristic !== undefined) return heuristic;
  }
  return opts.defaultTtlSeconds ?? 0;
}

function originationTime(headers: HeaderLookup, dateFallback: number | undefined): number | undefined {
  // Several Date lines combine into an unparseable value and so fall back, as an invalid one does.
  return parseHttpDate(headers('date'), dateFallback) ?? dateFallback;
}

function expiresLifetime(expires: string, headers: HeaderLookup, dateFallback: number | undefined): number {
  const date = originationTime(headers, dateFallback);
  // A two-digit RFC 850 year is read relative to the response's own time (RFC 9110 §5.6.7).
  const expiresAt = parseHttpDate(expires, date);
  if (expiresAt === undefined || date === undefined) return 0;
  return Math.max(0, Math.floor((expiresAt - date) / 1000));
}

/** undefined when the heuristic cannot be evaluated (no valid Last-Modified or Date). */
function heuristicLifetime(headers: HeaderLookup, opts: FreshnessOptions): number | undefined {
  const date = originationTime(headers, opts.dateFallback);
  const lastModified = parseHttpDate(headers('last-modified'), date);
  if (lastModified === undefined || date === undefined) return undefined;
  const interval = Math.max(0, (date - lastModified) / 1000);
  return Math.min(Math.floor(interval * opts.heuristicFraction), opts.heuristicMaxSeconds);
}

/**
 * Current age in whole seconds (RFC 9111 §4.2.3):
 *   apparent_age = max(0, response_time − date_value)
 *   corrected_age_value = age_value + (response_time − request_time)
 *   current_age = max(apparent_age, corrected_age_value) + (now − response_time)
 * A missing or invalid Date contributes no apparent age; negative intervals from clock skew are
 * clamped to 0 so age never runs backwards.
 */
export function currentAge(headers: HeaderLookup, timing: ResponseTiming, now: number): number {
  const { requestTime, responseTime } = timing;
  const date = parseHttpDate(headers('date'), responseTime);
  const apparentAge = date === undefined ? 0 : Math.max(0, responseTime - date);
  const responseDelay = Math.max(0, responseTime - requestTime);
  // An absent or invalid Age contributes nothing (RFC 9111 §5.1: invalid → ignored).
  const correctedAgeValue = (parseAge(headers('age')) ?? 0) * 1000 + responseDelay;
  const residentTime = Math.max(0, now - responseTime);
  return Math.floor((Math.max(apparentAge, correctedAgeValue) + residentTime) / 1000);
}
