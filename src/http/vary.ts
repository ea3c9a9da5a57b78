/**
 * Vary handling (RFC 9110 §12.5.5, RFC 9111 §4.1): which request headers select a stored variant,
 * and the secondary cache key built from their normalised values.
 *
 * Variant key format: one `name:value` line per Vary name, in the response's Vary order, joined
 * with "\n". Field values cannot contain CR/LF or NUL, so the encoding is unambiguous; an absent
 * header is encoded as NUL so it never equals a present-but-empty one.
 */
import { canonicalLanguageRanges } from './accept-language.ts';
import type { HeaderLookup } from './header-lookup.ts';

/** Stored as the variant key of a `Vary: *` response; no request ever produces it. */
export const VARY_WILDCARD_KEY = '\u0000*';

const ABSENT = '\u0000';
const NO_VARY = '';

/**
 * Lowercase, deduplicated field names in first-seen order; ['*'] when any member is `*`
 * (RFC 9110 §12.5.5: the response varies on something other than request headers); null when
 * the field is absent or lists nothing.
 */
export function parseVary(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const names: string[] = [];
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (name === '*') return ['*'];
    if (!names.includes(name)) names.push(name);
  }
  return names.length === 0 ? null : names;
}

export function isVaryWildcard(varyNames: readonly string[] | null): boolean {
  return varyNames !== null && varyNames.includes('*');
}

/**
 * Case-insensitive list fields: values are compared lowercased, member by member. Media types in
 * Accept are case-insensitive too, but its parameters may not be, so Accept only gets list
 * whitespace normalisation.
 */
const CASE_INSENSITIVE_LISTS: ReadonlySet<string> = new Set(['accept-encoding', 'accept-language', 'accept-charset']);
const LISTS: ReadonlySet<string> = new Set([...CASE_INSENSITIVE_LISTS, 'accept']);
/** Member order carries no meaning for codings (q-values do), so sorting merges equivalent requests. */
const ORDER_INSENSITIVE_LISTS: ReadonlySet<string> = new Set(['accept-encoding']);

/**
 * Normalises one request header value for variant matching:
 * - absent → NUL (distinct from empty, which stays '');
 * - every field: trim and collapse runs of spaces/tabs to one space;
 * - accept, accept-encoding, accept-language, accept-charset: whitespace around `,` `;` `=` removed
 *   and empty members dropped (`gzip ,br` ≡ `gzip,br`);
 * - accept-encoding, accept-language, accept-charset: lowercased;
 * - accept-encoding: members sorted (`br, gzip` ≡ `gzip, br`);
 * - accept-language: ranges ordered by q-value, q-values spelt one way (accept-language.ts).
 */
export function normalizeVaryValue(name: string, value: string | undefined): string {
  if (value === undefined) return ABSENT;
  if (!LISTS.has(name)) return collapseWhitespace(value);
  const lower = CASE_INSENSITIVE_LISTS.has(name) ? value.toLowerCase() : value;
  const members: string[] = [];
  for (const part of lower.split(',')) {
    const member = trimOws(part);
    if (member === '') continue;
    // Most members (`gzip`, `en-us`) hold no inner whitespace; skip the regexes for them.
    members.push(INNER_OWS.test(member) ? member.replace(OWS_AROUND_DELIMITER, '$1').replace(OWS_RUN, ' ') : member);
  }
  if (ORDER_INSENSITIVE_LISTS.has(name)) members.sort();
  else if (name === 'accept-language') return canonicalLanguageRanges(members).join(',');
  return members.join(',');
}

const INNER_OWS = /[ \t]/;
const OWS_AROUND_DELIMITER = /[ \t]*([;=])[ \t]*/g;
const OWS_RUN = /[ \t]+/g;
const NON_CANONICAL_OWS = /[ \t]{2}|\t/;

/**
 * Unknown fields: whitespace is not significant next to a list comma (RFC 9110 §5.6.1), so
 * "1,2" and " 1, 2 " select the same variant; other runs of whitespace collapse to one space.
 */
function collapseWhitespace(value: string): string {
  const trimmed = trimOws(value);
  // Most values have no whitespace to normalise; skip the replaces (and their allocations).
  if (!INNER_OWS.test(trimmed)) return trimmed;
  const listTight = trimmed.includes(',') ? trimmed.replace(OWS_AROUND_COMMA, ',') : trimmed;
  return NON_CANONICAL_OWS.test(listTight) ? listTight.replace(OWS_RUN, ' ') : listTight;
}

const OWS_AROUND_COMMA = /[ \t]*,[ \t]*/g;

/**
 * OWS is SP and HTAB only (RFC 9110 §5.6.3). String.prototype.trim() would also strip U+00A0, an
 * obs-text byte the origin sees, so two requests it can tell apart would share a variant.
 */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The secondary key for a request against a response's Vary names: '' without Vary,
 * VARY_WILDCARD_KEY for `Vary: *`.
 */
export function variantKeyFor(varyNames: readonly string[] | null, requestHeader: HeaderLookup): string {
  if (varyNames === null || varyNames.length === 0) return NO_VARY;
  if (isVaryWildcard(varyNames)) return VARY_WILDCARD_KEY;
  let key = '';
  for (let i = 0; i < varyNames.length; i++) {
    const name = varyNames[i]!;
    if (i > 0) key += '\n';
    key += `${name}:${normalizeVaryValue(name, requestHeader(name))}`;
  }
  return key;
}

/** Whether a stored variant may serve this request (RFC 9111 §4.1). `Vary: *` never matches. */
export function variantMatches(
  varyNames: readonly string[] | null,
  storedVariantKey: string,
  requestHeader: HeaderLookup,
): boolean {
  if (isVaryWildcard(varyNames)) return false;
  return variantKeyFor(varyNames, requestHeader) === storedVariantKey;
}
