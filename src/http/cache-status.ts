/**
 * Cache-Status response field (RFC 9211), a Structured Fields list member (RFC 8941):
 * `edgehook; hit; ttl=42` or `edgehook; fwd=uri-miss; fwd-status=200; stored; ttl=60`.
 * Parameters are emitted in a fixed order (hit, fwd, fwd-status, ttl, stored, collapsed, key,
 * detail) so the header is stable for tests and log scraping.
 */

export type CacheStatusFwd = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'partial';

export interface CacheStatusParams {
  hit?: boolean;
  fwd?: CacheStatusFwd;
  fwdStatus?: number;
  /** Remaining freshness in seconds; negative when a stale response is served. */
  ttl?: number;
  stored?: boolean;
  collapsed?: boolean;
  key?: string;
  detail?: string;
}

/** RFC 8941 sf-integer bounds. */
const SF_INTEGER_MAX = 999_999_999_999_999;
// sf-token: ( ALPHA / "*" ) *( tchar / ":" / "/" )
const SF_TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
// Characters an sf-string cannot hold (only printable ASCII); replaced so the field stays valid.
const NOT_SF_STRING_CHAR = /[^\x20-\x7e]/g;
const NEEDS_ESCAPE = /["\\]/g;

export function formatCacheStatus(cacheName: string, p: CacheStatusParams): string {
  let out = nameToken(cacheName);
  if (p.hit === true) out += '; hit';
  if (p.fwd !== undefined) out += `; fwd=${p.fwd}`;
  if (p.fwdStatus !== undefined) out += `; fwd-status=${sfInteger(p.fwdStatus)}`;
  if (p.ttl !== undefined) out += `; ttl=${sfInteger(p.ttl)}`;
  if (p.stored === true) out += '; stored';
  if (p.collapsed === true) out += '; collapsed';
  if (p.key !== undefined) out += `; key=${sfString(p.key)}`;
  if (p.detail !== undefined) out += `; detail=${tokenOrString(p.detail)}`;
  return out;
}

/**
 * The last cache name and its field form. A node names one cache in every response, so the token
 * check runs once rather than on every hit; a pure memo, correct for any sequence of names.
 */
let lastName: string | null = null;
let lastToken = '';

function nameToken(name: string): string {
  if (name !== lastName) {
    lastToken = tokenOrString(name);
    lastName = name;
  }
  return lastToken;
}

/** Truncates toward zero (ttl may be fractional or negative) and clamps to the sf-integer range. */
function sfInteger(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? String(SF_INTEGER_MAX) : n < 0 ? String(-SF_INTEGER_MAX) : '0';
  const truncated = Math.trunc(n);
  return String(Math.max(-SF_INTEGER_MAX, Math.min(SF_INTEGER_MAX, truncated)));
}

/** A token when the text already is one (the common case: `set-cookie`), else an sf-string. */
function tokenOrString(text: string): string {
  return SF_TOKEN.test(text) ? text : sfString(text);
}

function sfString(text: string): string {
  return `"${text.replace(NOT_SF_STRING_CHAR, '?').replace(NEEDS_ESCAPE, '\\$&')}"`;
}
