/**
 * Whether a shared cache may store a response (RFC 9111 §3, §3.5, §5.2.2.3). The reason strings
 * are stable: they are emitted as Cache-Status `detail=` values and used in metrics.
 */
import type { CacheControl } from './cache-control.ts';
import { isHeuristicallyCacheable } from './freshness.ts';
import type { HeaderLookup } from './header-lookup.ts';

const REASONS = [
  'method',
  'status',
  'partial',
  'request-no-store',
  'no-store',
  'must-understand',
  'private',
  'authorization',
  'set-cookie',
  'no-freshness',
] as const;

export type NotStorableReason = (typeof REASONS)[number];

export interface StorabilityInput {
  method: string;
  status: number;
  requestCacheControl: CacheControl;
  responseCacheControl: CacheControl;
  responseHeaders: HeaderLookup;
  requestHasAuthorization: boolean;
  /** Config: whether responses carrying Set-Cookie may be stored (the field is kept if so). */
  storeSetCookie: boolean;
  /** A configured default TTL makes responses without explicit freshness storable. */
  hasDefaultTtl: boolean;
}

export type StorabilityVerdict = { storable: true } | { storable: false; reason: string };

// Verdicts are built once and frozen: deciding "no" on the miss path allocates nothing.
const STORABLE: StorabilityVerdict = Object.freeze({ storable: true });
const NOT_STORABLE = new Map<NotStorableReason, StorabilityVerdict>(
  REASONS.map((reason) => [reason, Object.freeze({ storable: false, reason })]),
);

function notStorable(reason: NotStorableReason): StorabilityVerdict {
  return NOT_STORABLE.get(reason)!;
}

/**
 * Status codes whose caching rules edgehook implements, for `must-understand` (RFC 9111 §5.2.2.3):
 * the final codes RFC 9110 defines that are storable at all (206 and 304 are handled apart).
 */
const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 203, 204, 300, 301, 302, 303, 307, 308,
  400, 403, 404, 405, 406, 409, 410, 411, 413, 414, 415, 416, 421, 422, 426,
  500, 501, 502, 503, 504, 505,
]);

/**
 * Checks in a fixed order so the reported reason is predictable: request → status → response
 * directives → credentials → freshness. Verdict objects are shared and frozen.
 * `Vary: *` is deliberately storable: such a variant is stored but never matched (vary.ts).
 */
export function isStorable(input: StorabilityInput): StorabilityVerdict {
  const { status, requestCacheControl: req, responseCacheControl: res } = input;
  // HEAD is not stored: its response has no body to serve a later GET.
  if (input.method !== 'GET') return notStorable('method');
  if (req.noStore === true) return notStorable('request-no-store');
  const statusProblem = statusReason(status);
  if (statusProblem !== undefined) return notStorable(statusProblem);
  const understood = UNDERSTOOD_STATUSES.has(status);
  if (res.mustUnderstand === true && !understood) return notStorable('must-understand');
  // A cache that understands the status may ignore no-store sent alongside must-understand.
  if (res.noStore === true && !(res.mustUnderstand === true && understood)) return notStorable('no-store');
  if (res.private === true) return notStorable('private');
  if (input.requestHasAuthorization && !authorizationAllowed(res)) return notStorable('authorization');
  if (!input.storeSetCookie && hasUnstrippedSetCookie(input.responseHeaders, res)) return notStorable('set-cookie');
  if (!hasFreshnessSource(input)) return notStorable('no-freshness');
  return STORABLE;
}

function statusReason(status: number): NotStorableReason | undefined {
  // 206 is listed apart: edgehook stores complete responses only and serves ranges from them.
  if (status === 206) return 'partial';
  // 1xx are interim, 304 only updates a stored response, and anything outside 200–599 is unknown.
  if (status < 200 || status > 599 || status === 304 || !Number.isInteger(status)) return 'status';
  return undefined;
}

/** RFC 9111 §3.5: a shared cache reuses responses to authorized requests only when told to. */
function authorizationAllowed(res: CacheControl): boolean {
  return res.public === true || res.sMaxAge !== undefined || res.mustRevalidate === true;
}

/** Set-Cookie named in private= / no-cache= is stripped before storing, so it does not block. */
function hasUnstrippedSetCookie(headers: HeaderLookup, res: CacheControl): boolean {
  if (headers('set-cookie') === undefined) return false;
  return !(res.privateFields?.includes('set-cookie') === true || res.noCacheFields?.includes('set-cookie') === true);
}

/** RFC 9111 §3: explicit freshness, `public`, a heuristically cacheable status, or our default TTL. */
function hasFreshnessSource(input: StorabilityInput): boolean {
  const res = input.responseCacheControl;
  return res.maxAge !== undefined
    || res.sMaxAge !== undefined
    || res.public === true
    || input.responseHeaders('expires') !== undefined
    || isHeuristicallyCacheable(input.status)
    || input.hasDefaultTtl;
}

/**
 * Fields to remove from a response before storing it: those named by `private="…"` (a shared cache
 * must not store them) and by `no-cache="…"` (they may not be reused without revalidation;
 * dropping them is the simplest behaviour that never serves them stale). Lowercase, deduplicated.
 */
export function fieldsToStrip(cc: CacheControl): string[] {
  const privateFields = cc.privateFields;
  const noCacheFields = cc.noCacheFields;
  if (privateFields === undefined) return noCacheFields === undefined ? [] : [...noCacheFields];
  const fields = [...privateFields];
  if (noCacheFields !== undefined) for (const field of noCacheFields) if (!fields.includes(field)) fields.push(field);
  return fields;
}
