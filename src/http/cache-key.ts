/**
 * Primary cache key and absolute URL (RFC 9111 §2, RFC 3986 §6.2.2 syntax-based normalisation):
 * - scheme and host lowercased, userinfo dropped (RFC 9110 §4.2.4 forbids it in http(s) URIs),
 *   the default port (http :80, https :443) and an empty port removed, leading port zeros removed;
 * - percent-encoding: escapes of unreserved characters decoded, every other escape uppercased,
 *   malformed escapes left as they are (path and query);
 * - dot segments removed from the path without climbing above the root; an empty path is `/`;
 * - the query keeps its order (parameter order can matter to origins) unless `sortQuery` is set;
 *   an empty query is the same as none.
 *
 * Because different request targets map to one key, the request sent to the origin must use the
 * same normalised path (normalizePath), or one spelling could store content for another.
 */

export interface CacheKeyParts {
  scheme: string;
  authority: string;
  /** Path only (no query), as received. */
  path: string;
  /**
   * Query without the "?" that starts it; '' when none. A further "?" belongs to the query
   * (`/p??a=1` has the query `?a=1`, which the origin sees), so it is kept, never stripped.
   */
  query: string;
  /** Route key parts (from config or hooks) appended to the URL. Must not contain NUL. */
  extra?: readonly string[];
}

export interface UrlNormalizationOptions {
  /** Sort query parameters by name (stable, so repeated names keep their order). Default false. */
  sortQuery?: boolean;
}

const EXTRA_SEPARATOR = '\u0000';
const DEFAULT_PORTS: ReadonlyMap<string, string> = new Map([['http', '80'], ['https', '443']]);
const NEEDS_AUTHORITY_WORK = /[:@A-Z]/;

export function primaryCacheKey(parts: CacheKeyParts, opts?: UrlNormalizationOptions): string {
  const url = absoluteUrl(parts.scheme, parts.authority, parts.path, parts.query, opts);
  const extra = parts.extra;
  if (extra === undefined || extra.length === 0) return url;
  return url + EXTRA_SEPARATOR + extra.join(EXTRA_SEPARATOR);
}

/** `scheme://authority/path?query`, normalised as described above; what purge-by-URL matches. */
export function absoluteUrl(
  scheme: string,
  authority: string,
  path: string,
  query: string,
  opts?: UrlNormalizationOptions,
): string {
  const lowerScheme = scheme.toLowerCase();
  const q = normalizeQuery(query, opts?.sortQuery === true);
  const base = `${lowerScheme}://${normalizeAuthority(lowerScheme, authority)}${normalizePath(path)}`;
  return q === '' ? base : `${base}?${q}`;
}

/** Splits a request-target (`/p?q`) into path and query; the fragment, if any, is dropped. */
export function splitRequestTarget(target: string): { path: string; query: string } {
  const hash = target.indexOf('#');
  const clean = hash === -1 ? target : target.slice(0, hash);
  const mark = clean.indexOf('?');
  return mark === -1 ? { path: clean, query: '' } : { path: clean.slice(0, mark), query: clean.slice(mark + 1) };
}

/** `User@Example.COM:443` with scheme https → `example.com`. */
export function normalizeAuthority(scheme: string, authority: string): string {
  // Most authorities are a lowercase host without userinfo or port (what the request guard hands
  // on for the common case): already normal, and this is on every request's key.
  if (!NEEDS_AUTHORITY_WORK.test(authority)) return authority;
  const at = authority.lastIndexOf('@');
  const hostPort = (at === -1 ? authority : authority.slice(at + 1)).toLowerCase();
  // The port separator is the last ':' after any IPv6 literal's closing bracket.
  const colon = hostPort.lastIndexOf(':');
  if (colon === -1 || colon < hostPort.lastIndexOf(']')) return hostPort;
  const host = hostPort.slice(0, colon);
  const port = hostPort.slice(colon + 1);
  if (port === '') return host;
  if (!/^\d+$/.test(port)) return hostPort;
  const canonical = String(Number(port));
  return canonical === DEFAULT_PORTS.get(scheme.toLowerCase()) ? host : `${host}:${canonical}`;
}

const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** Percent-encoding normalisation, then dot-segment removal (RFC 3986 §6.2.2 order). */
export function normalizePath(path: string): string {
  if (path === '') return '/';
  const decoded = path.includes('%') ? normalizePercentEncoding(path) : path;
  if (decoded.charCodeAt(0) !== 0x2f || !DOT_SEGMENT.test(decoded)) return decoded;
  return removeDotSegments(decoded);
}

/** For an absolute path: `.` is dropped, `..` drops the previous segment, never above the root. */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  // segments[0] is the empty string before the leading '/'.
  for (let i = 1; i <= last; i++) {
    const segment = segments[i]!;
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop();
      // A trailing dot segment still denotes a directory: `/a/b/..` → `/a/`.
      if (i === last) out.push('');
      continue;
    }
    out.push(segment);
  }
  return `/${out.join('/')}`;
}

function normalizeQuery(query: string, sort: boolean): string {
  const q = query.includes('%') ? normalizePercentEncoding(query) : query;
  if (!sort || !q.includes('&')) return q;
  const params = q.split('&').filter((param) => param !== '');
  params.sort((a, b) => compareStrings(paramName(a), paramName(b)));
  return params.join('&');
}

function paramName(param: string): string {
  const eq = param.indexOf('=');
  return eq === -1 ? param : param.slice(0, eq);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decodes %XX of unreserved characters (ALPHA DIGIT - . _ ~) and uppercases the rest. */
function normalizePercentEncoding(s: string): string {
  let out = '';
  let chunkStart = 0;
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 1)) {
    const hi = hexValue(s.charCodeAt(i + 1));
    const lo = hexValue(s.charCodeAt(i + 2));
    // Past the end charCodeAt gives NaN, which hexValue rejects: a truncated `%4` stays as is.
    if (hi === -1 || lo === -1) continue;
    const code = hi * 16 + lo;
    out += s.slice(chunkStart, i) + (isUnreserved(code) ? String.fromCharCode(code) : s.slice(i, i + 3).toUpperCase());
    chunkStart = i + 3;
    i += 2;
  }
  return chunkStart === 0 ? s : out + s.slice(chunkStart);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
    || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}
