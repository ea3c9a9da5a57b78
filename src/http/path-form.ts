/**
 * The one form of a request path that hook routes, the cache key and the origin all get. If they
 * read a path differently, a route can be walked around: `//evil/auth/x` does not match
 * `/auth/**`, yet an origin resolving it as a URL reference (WHATWG `new URL()`) reads a host
 * `evil` and serves `/auth/x`; `\` reads as `/` to the same parsers; and an origin that decodes
 * `%2F` before routing serves `/auth/x` for `/auth%2Fx`. So:
 * - a raw `\` is refused: no origin-form path (RFC 3986 §3.3) holds one, and parsers disagree on it;
 * - `%2F` and `%5C` (either case) are refused, kept as data, or decoded to `/` (`%5C` too: a
 *   decoded backslash would be read as `/` downstream anyway), as configured;
 * - runs of slashes are merged (configurable; not part of HTTP, but what nginx and Envoy offer),
 *   and a path that would still start with `//` is refused, since it names a host to URL parsers;
 * - then percent-encoding and dot segments are normalised (normalizePath, RFC 3986 §6.2.2).
 * Merging comes before dot-segment removal, so the result is stable: normalising it again
 * changes nothing.
 */
import { absoluteUrl, normalizePath } from './cache-key.ts';

export interface PathFormRules {
  readonly mergeSlashes: boolean;
  readonly escapedSlashes: 'reject' | 'keep' | 'decode';
}

export type PathForm = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

const ESCAPED_SLASH = /%(?:2f|5c)/i;
const ESCAPED_SLASHES = /%(?:2f|5c)/gi;
const SLASH_RUN = /\/{2,}/g;

export function canonicalPath(path: string, rules: PathFormRules): PathForm {
  if (path.includes('\\')) return refused('backslash in path');
  let form = path;
  if (form.includes('%') && ESCAPED_SLASH.test(form)) {
    if (rules.escapedSlashes === 'reject') return refused('escaped slash (%2F or %5C) in path');
    if (rules.escapedSlashes === 'decode') form = form.replace(ESCAPED_SLASHES, '/');
  }
  if (rules.mergeSlashes && form.includes('//')) form = form.replace(SLASH_RUN, '/');
  form = normalizePath(form);
  if (form.startsWith('//')) return refused('path starts with //');
  return { ok: true, path: form };
}

export type UrlForm = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/**
 * An absolute http(s) URL as the cache holds it (what purge and RFC 9111 §4.4 invalidation
 * match): its path in the one form, the rest normalised as a cache key's.
 */
export function canonicalUrl(url: URL, rules: PathFormRules): UrlForm {
  const form = canonicalPath(url.pathname, rules);
  if (!form.ok) return form;
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return { ok: true, url: absoluteUrl(scheme, url.host, form.path, url.search.slice(1)) };
}

function refused(reason: string): PathForm {
  return { ok: false, reason };
}
