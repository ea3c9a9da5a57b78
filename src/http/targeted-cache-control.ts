/**
 * Targeted cache control (RFC 9213): response fields such as `CDN-Cache-Control` that carry
 * Cache-Control directives for one class of caches. edgehook has a target list
 * (`cache.targeted_cache_control`); the first field on it that is present, valid and non-empty
 * governs this cache's decisions for the response, and Cache-Control and Expires are then ignored
 * by it (§2.2). Otherwise Cache-Control and Expires apply as usual.
 *
 * Parsing (§2.1): a targeted field is a Dictionary Structured Field. A parse failure, an empty
 * field, or a known directive whose value has the wrong type (`max-age="60"`, `max-age=1.5`,
 * `no-store=1`) makes the whole field ignored. §2.1 only says such values SHOULD NOT be consumed;
 * dropping the field rather than the directive is the conservative reading, since it keeps the
 * origin's Cache-Control — a typo can never turn a `no-store` into a stored response.
 * Parameters on directives are ignored; unknown directives are ignored (a field of only unknown
 * directives, e.g. `none`, is valid and still overrides Cache-Control, as §3.1's example expects).
 */
import { FLAGS, parseCacheControl, type CacheControl } from './cache-control.ts';
import { DELTA_SECONDS_MAX } from './delta-seconds.ts';
import type { HeaderLookup } from './header-lookup.ts';
import { parseDictionary, type BareItem, type DictionaryMember } from './structured-dictionary.ts';

export interface CacheDirectives {
  /** The directives this cache follows for the response. */
  readonly cacheControl: CacheControl;
  /** The field they came from: a targeted field's name, or 'cache-control'. */
  readonly field: string;
  /**
   * The response's fields as freshness and storability should see them: when a targeted field
   * governs, Cache-Control and Expires read as absent (RFC 9213 §2.2); otherwise the lookup itself.
   */
  readonly lookup: HeaderLookup;
}

/**
 * The directives that govern this cache's handling of a response. `targets` are lowercase field
 * names in precedence order (config); [] means Cache-Control only.
 */
export function selectCacheDirectives(lookup: HeaderLookup, targets: readonly string[]): CacheDirectives {
  for (const field of targets) {
    const cacheControl = parseTargetedField(lookup(field));
    if (cacheControl !== undefined) return { cacheControl, field, lookup: withoutUntargeted(lookup) };
  }
  return { cacheControl: parseCacheControl(lookup('cache-control')), field: 'cache-control', lookup };
}

function withoutUntargeted(lookup: HeaderLookup): HeaderLookup {
  return (name) => (name === 'cache-control' || name === 'expires' ? undefined : lookup(name));
}

/** A targeted field's directives; undefined when it is absent, empty or invalid (then it is ignored). */
export function parseTargetedField(value: string | undefined): CacheControl | undefined {
  if (value === undefined) return undefined;
  const members = parseDictionary(value);
  if (members === null || members.size === 0) return undefined;
  const out: CacheControl = {};
  for (const [name, member] of members) {
    if (!applyMember(out, name, member)) return undefined;
  }
  return Object.freeze(out);
}

type SecondsKey = 'maxAge' | 'sMaxAge' | 'staleWhileRevalidate' | 'staleIfError';

const SECONDS: ReadonlyMap<string, SecondsKey> = new Map<string, SecondsKey>([
  ['max-age', 'maxAge'],
  ['s-maxage', 'sMaxAge'],
  ['stale-while-revalidate', 'staleWhileRevalidate'],
  ['stale-if-error', 'staleIfError'],
]);

/** Applies one directive; false when a known directive has a value of the wrong type. */
function applyMember(out: CacheControl, name: string, member: DictionaryMember): boolean {
  const value = member.value;
  const seconds = SECONDS.get(name);
  if (seconds !== undefined) {
    if (value.kind !== 'integer' || value.value < 0) return false;
    out[seconds] = Math.min(value.value, DELTA_SECONDS_MAX);
    return true;
  }
  const flag = FLAGS.get(name);
  if (flag !== undefined && flag !== 'onlyIfCached') {
    if (value.kind !== 'boolean') return false;
    if (value.value) out[flag] = true;
    return true;
  }
  if (name === 'no-cache') return applyQualified(out, 'noCache', 'noCacheFields', value);
  if (name === 'private') return applyQualified(out, 'private', 'privateFields', value);
  // Unknown and request-only directives are ignored, whatever their value.
  return true;
}

/**
 * `no-cache` / `private`: a Boolean (true = the unqualified directive), or field names as a String
 * (`private="set-cookie, x-user"`, the Cache-Control spelling) or an Inner List of Strings or Tokens.
 */
function applyQualified(
  out: CacheControl,
  flag: 'noCache' | 'private',
  fieldsKey: 'noCacheFields' | 'privateFields',
  value: BareItem | { readonly kind: 'inner-list'; readonly items: readonly { readonly value: BareItem }[] },
): boolean {
  if (value.kind === 'boolean') {
    if (value.value) out[flag] = true;
    return true;
  }
  const names = fieldNames(value);
  if (names === undefined) return false;
  // An empty list is read as the unqualified directive, as parseCacheControl does: the safer reading.
  if (names.length === 0) out[flag] = true;
  else out[fieldsKey] = names;
  return true;
}

function fieldNames(
  value: BareItem | { readonly kind: 'inner-list'; readonly items: readonly { readonly value: BareItem }[] },
): string[] | undefined {
  const raw: string[] = [];
  if (value.kind === 'string') raw.push(...value.value.split(','));
  else if (value.kind === 'inner-list') {
    for (const item of value.items) {
      if (item.value.kind !== 'string' && item.value.kind !== 'token') return undefined;
      raw.push(item.value.value);
    }
  } else return undefined;
  const names: string[] = [];
  for (const part of raw) {
    const name = part.trim().toLowerCase();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}
