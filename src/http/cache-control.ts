/**
 * Cache-Control parsing (RFC 9111 §5.2, RFC 5861, RFC 8246) for requests and responses.
 *
 * Tolerant by design — origins send every variation — with these documented choices:
 * - Directive names are case-insensitive; unknown directives are ignored.
 * - Arguments may be tokens or quoted-strings (`max-age="60"` is accepted).
 * - Duplicates: the first occurrence wins (RFC 9111 §4.2.1 allows "first occurrence" or "stale").
 * - max-age / s-maxage with a missing, negative or non-integer argument become 0, so the response
 *   is stale rather than cached for a guessed time (RFC 9111 §4.2.1: invalid freshness → stale).
 * - Other numeric directives (stale-while-revalidate, stale-if-error, min-fresh, max-stale=) are
 *   ignored when their argument is invalid; the first valid occurrence wins.
 * - delta-seconds larger than 2^31 are clamped to 2^31 (RFC 9111 §1.2.2).
 * - `no-cache="a, b"` / `private="a, b"` record lowercase field names and leave the unqualified
 *   flag unset; an empty list (`private=""`) is treated as the unqualified directive, the safer
 *   reading.
 */
import { parseDeltaSeconds } from './delta-seconds.ts';

export interface CacheControl {
  maxAge?: number;
  sMaxAge?: number;
  noStore?: boolean;
  noCache?: boolean;
  noCacheFields?: string[];
  private?: boolean;
  privateFields?: string[];
  public?: boolean;
  mustRevalidate?: boolean;
  proxyRevalidate?: boolean;
  mustUnderstand?: boolean;
  noTransform?: boolean;
  immutable?: boolean;
  staleWhileRevalidate?: number;
  staleIfError?: number;
  /** Infinity when the request sent max-stale without a value. */
  maxStale?: number;
  minFresh?: number;
  onlyIfCached?: boolean;
}

/**
 * Shared result for absent or empty input, or input without known directives, so the common request without
 * Cache-Control allocates nothing. Frozen: callers must treat every parse result as read-only.
 */
export const EMPTY_CACHE_CONTROL: CacheControl = Object.freeze({});

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

export function parseCacheControl(value: string | string[] | undefined): CacheControl {
  if (value === undefined || value.length === 0) return EMPTY_CACHE_CONTROL;
  const out: CacheControl = {};
  let recognised = 0;
  if (typeof value === 'string') recognised = parseInto(value, out);
  else for (const line of value) recognised += parseInto(line, out);
  return recognised === 0 ? EMPTY_CACHE_CONTROL : out;
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/**
 * Scans one field line: `name[=token|quoted-string]` members separated by commas.
 * Returns how many known directives it saw.
 */
function parseInto(s: string, out: CacheControl): number {
  const n = s.length;
  let recognised = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isOws(c) || c === COMMA) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n && !isNameEnd(s.charCodeAt(i))) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    while (i < n && isOws(s.charCodeAt(i))) i++;
    let arg: string | undefined;
    if (i < n && s.charCodeAt(i) === EQUALS) {
      i++;
      while (i < n && isOws(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === DQUOTE) {
        const close = closingQuote(s, i);
        arg = unquote(s, i + 1, close);
        i = close + 1;
      } else {
        const argStart = i;
        while (i < n && !isTokenEnd(s.charCodeAt(i))) i++;
        arg = s.slice(argStart, i);
      }
    }
    // Skip anything after the member (garbage such as `max-age=60 junk`) up to the next comma.
    while (i < n && s.charCodeAt(i) !== COMMA) i++;
    if (applyDirective(out, name, arg)) recognised++;
  }
  return recognised;
}

function isNameEnd(c: number): boolean {
  return c === EQUALS || c === COMMA || c === SP || c === HTAB;
}

function isTokenEnd(c: number): boolean {
  return c === COMMA || c === SP || c === HTAB;
}

/** Index of the quote closing the quoted-string opened at `open`, or s.length when unclosed. */
function closingQuote(s: string, open: number): number {
  for (let j = open + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === DQUOTE) return j;
    if (c === BACKSLASH) j++;
  }
  return s.length;
}

/** The content of a quoted-string between `start` and `end`, with quoted-pairs resolved. */
function unquote(s: string, start: number, end: number): string {
  const escape = s.indexOf('\\', start);
  if (escape === -1 || escape >= end) return s.slice(start, end);
  let out = '';
  for (let j = start; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === BACKSLASH && j + 1 < end) j++;
    out += s[j];
  }
  return out;
}

/** Applies one directive; false when the name is not one edgehook knows. */
function applyDirective(out: CacheControl, name: string, arg: string | undefined): boolean {
  switch (name) {
    case 'max-age':
      out.maxAge ??= freshnessSeconds(arg);
      return true;
    case 's-maxage':
      out.sMaxAge ??= freshnessSeconds(arg);
      return true;
    case 'stale-while-revalidate':
      setFirst(out, 'staleWhileRevalidate', optionalSeconds(arg));
      return true;
    case 'stale-if-error':
      setFirst(out, 'staleIfError', optionalSeconds(arg));
      return true;
    case 'min-fresh':
      setFirst(out, 'minFresh', optionalSeconds(arg));
      return true;
    case 'max-stale':
      setFirst(out, 'maxStale', arg === undefined ? Infinity : optionalSeconds(arg));
      return true;
    case 'no-cache':
      applyQualified(out, 'noCache', 'noCacheFields', arg);
      return true;
    case 'private':
      applyQualified(out, 'private', 'privateFields', arg);
      return true;
    default:
      return applyFlag(out, name);
  }
}

export type FlagKey = 'noStore' | 'public' | 'mustRevalidate' | 'proxyRevalidate' | 'mustUnderstand'
  | 'noTransform' | 'immutable' | 'onlyIfCached';

/** Directives without an argument, by name (also read by the targeted fields' parser). */
export const FLAGS: ReadonlyMap<string, FlagKey> = new Map<string, FlagKey>([
  ['no-store', 'noStore'],
  ['public', 'public'],
  ['must-revalidate', 'mustRevalidate'],
  ['proxy-revalidate', 'proxyRevalidate'],
  ['must-understand', 'mustUnderstand'],
  ['no-transform', 'noTransform'],
  ['immutable', 'immutable'],
  ['only-if-cached', 'onlyIfCached'],
]);

function applyFlag(out: CacheControl, name: string): boolean {
  const key = FLAGS.get(name);
  if (key === undefined) return false;
  out[key] = true;
  return true;
}

/** Invalid max-age / s-maxage means "stale", not "ignore": 0 seconds. */
function freshnessSeconds(arg: string | undefined): number {
  return arg === undefined ? 0 : parseDeltaSeconds(arg) ?? 0;
}

/** First valid occurrence wins; an invalid one leaves the directive unset. */
function setFirst(
  out: CacheControl,
  key: 'staleWhileRevalidate' | 'staleIfError' | 'minFresh' | 'maxStale',
  seconds: number | undefined,
): void {
  if (seconds !== undefined && out[key] === undefined) out[key] = seconds;
}

function optionalSeconds(arg: string | undefined): number | undefined {
  return arg === undefined ? undefined : parseDeltaSeconds(arg);
}

function applyQualified(
  out: CacheControl,
  flag: 'noCache' | 'private',
  fieldsKey: 'noCacheFields' | 'privateFields',
  arg: string | undefined,
): void {
  const fields = arg === undefined ? undefined : parseFieldNames(arg);
  if (fields === undefined) {
    out[flag] = true;
    return;
  }
  const existing = out[fieldsKey];
  if (existing === undefined) {
    out[fieldsKey] = fields;
    return;
  }
  for (const field of fields) if (!existing.includes(field)) existing.push(field);
}

/** `"Set-Cookie, x-foo"` → ['set-cookie', 'x-foo']; undefined when the list is empty. */
function parseFieldNames(arg: string): string[] | undefined {
  const fields: string[] = [];
  for (const part of arg.split(',')) {
    const field = part.trim().toLowerCase();
    if (field !== '' && !fields.includes(field)) fields.push(field);
  }
  return fields.length === 0 ? undefined : fields;
}
