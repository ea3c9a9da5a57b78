/**
 * Conditional requests answered from a stored response (RFC 9110 §13.2.2, RFC 9111 §4.3.2).
 * Entity-tag lists are scanned in place: an opaque tag may contain commas, so splitting on ","
 * would be wrong, and scanning allocates nothing.
 */
import type { HeaderLookup } from './header-lookup.ts';
import { parseHttpDate } from './http-date.ts';

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const DQUOTE = 0x22;
const STAR = 0x2a;

export type ConditionalOutcome = 'not-modified' | 'precondition-failed' | 'proceed';

export interface StoredValidators {
  etag?: string;
  lastModified?: string;
  /**
   * The stored Date: RFC 9111 §4.3.2 has a cache compare If-Modified-Since against it when there
   * is no Last-Modified.
   */
  date?: string;
  /**
   * The stored status. RFC 9110 §13.2.1: preconditions are ignored when the response without
   * them would not be 2xx, so a cached 404 is served as is. Omitted means "2xx".
   */
  status?: number;
}

/**
 * Steps of RFC 9110 §13.2.2 that a cache can answer:
 * 1. If-Match (strong comparison; `*` matches the stored response) fails → precondition-failed;
 * 2. else If-Unmodified-Since earlier than Last-Modified → precondition-failed (invalid dates ignored);
 * 3. If-None-Match (weak comparison, `*`) matches → not-modified for GET/HEAD, else
 *    precondition-failed; when present, If-Modified-Since is not consulted;
 * 4. else for GET/HEAD, Last-Modified (or stored Date) at or before If-Modified-Since → not-modified.
 */
export function evaluateConditionals(
  method: string,
  request: HeaderLookup,
  stored: StoredValidators,
): ConditionalOutcome {
  if (stored.status !== undefined && (stored.status < 200 || stored.status > 299)) return 'proceed';
  const ifMatch = request('if-match');
  if (ifMatch !== undefined) {
    if (!etagListIncludes(ifMatch, stored.etag, false)) return 'precondition-failed';
  } else if (unmodifiedSinceFails(request('if-unmodified-since'), stored.lastModified)) {
    return 'precondition-failed';
  }
  const getOrHead = method === 'GET' || method === 'HEAD';
  const ifNoneMatch = request('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (!etagListIncludes(ifNoneMatch, stored.etag, true)) return 'proceed';
    return getOrHead ? 'not-modified' : 'precondition-failed';
  }
  if (getOrHead && notModifiedSince(request('if-modified-since'), stored.lastModified ?? stored.date)) {
    return 'not-modified';
  }
  return 'proceed';
}

function unmodifiedSinceFails(header: string | undefined, lastModified: string | undefined): boolean {
  if (header === undefined) return false;
  const since = parseHttpDate(header);
  const modified = parseHttpDate(lastModified);
  return since !== undefined && modified !== undefined && modified > since;
}

/** An invalid or multi-valued If-Modified-Since is ignored (RFC 9110 §13.1.3). */
function notModifiedSince(header: string | undefined, lastModified: string | undefined): boolean {
  if (header === undefined) return false;
  const since = parseHttpDate(header);
  const modified = parseHttpDate(lastModified);
  return since !== undefined && modified !== undefined && modified <= since;
}

/**
 * Whether `list` (an If-Match / If-None-Match value) includes `etag`. `*` matches any stored
 * response. Strong comparison (weak=false) needs both tags strong; weak comparison ignores `W/`.
 * Members that are not quoted are compared as written, to stay useful with sloppy clients.
 */
export function etagListIncludes(list: string, etag: string | undefined, weak: boolean): boolean {
  const n = list.length;
  let i = 0;
  while (i < n) {
    const c = list.charCodeAt(i);
    if (c === SP || c === HTAB || c === COMMA) {
      i++;
      continue;
    }
    const end = memberEnd(list, i);
    const last = trimEnd(list, i, end);
    if (c === STAR && last - i === 1) return true;
    if (etag !== undefined && tagEquals(list, i, last, etag, weak)) return true;
    i = end;
  }
  return false;
}

/** Index just after a member starting at `i`: past the closing quote, or at the next comma. */
function memberEnd(s: string, i: number): number {
  const n = s.length;
  let j = i;
  if (s.startsWith('W/', j)) j += 2;
  if (j < n && s.charCodeAt(j) === DQUOTE) {
    const close = s.indexOf('"', j + 1);
    if (close !== -1) return close + 1;
  }
  const comma = s.indexOf(',', j);
  return comma === -1 ? n : comma;
}

function trimEnd(s: string, start: number, end: number): number {
  while (end > start && (s.charCodeAt(end - 1) === SP || s.charCodeAt(end - 1) === HTAB)) end--;
  return end;
}

/** Compares list[start, end) with `etag` under strong or weak comparison (RFC 9110 §8.8.3.2). */
function tagEquals(list: string, start: number, end: number, etag: string, weak: boolean): boolean {
  const memberWeak = list.startsWith('W/', start);
  const etagWeak = etag.startsWith('W/');
  if (!weak && (memberWeak || etagWeak)) return false;
  const memberOpaque = memberWeak ? start + 2 : start;
  const etagOpaque = etagWeak ? 2 : 0;
  const length = end - memberOpaque;
  if (length !== etag.length - etagOpaque) return false;
  for (let k = 0; k < length; k++) {
    if (list.charCodeAt(memberOpaque + k) !== etag.charCodeAt(etagOpaque + k)) return false;
  }
  return true;
}

/** Strong comparison of two single entity-tags (for If-Range). */
export function strongEtagEquals(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}
