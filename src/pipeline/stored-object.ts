/**
 * Turning an origin response into what the cache stores, and folding a 304 into a stored object.
 * Everything a later hit needs (lifetime, initial age, validators, RFC 5861 windows) is computed
 * here once, so the hit path only adds the resident time.
 */
import type { CachedObjectMeta, HeaderPairs, StoredPolicy } from '../cache/types.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { currentAge, freshnessLifetime, type HeaderLookup } from '../http/freshness.ts';
import { selectCacheDirectives } from '../http/targeted-cache-control.ts';
import { unstorableFields, withheldPairs } from '../http/withheld-fields.ts';
import type { CachePolicy } from './cache-policy.ts';

export function lookupInPairs(pairs: HeaderPairs): HeaderLookup {
  return (name) => {
    let found: string | undefined;
    for (const [field, value] of pairs) {
      if (field !== name) continue;
      found = found === undefined ? value : `${found}, ${value}`;
    }
    return found;
  };
}

/** The origin response's facts as stored; the rest of the metadata is computed from them. */
export interface StoredMetaInput
  extends Pick<CachedObjectMeta, 'key' | 'variantKey' | 'url' | 'status' | 'headers' | 'varyNames' | 'requestTime' | 'responseTime'> {
  readonly extraTags?: readonly string[];
  /** A hook's TTL override in seconds. */
  readonly ttlOverrideSeconds?: number;
  /** Fields a qualified private= / no-cache= directive excludes from storage. */
  readonly stripFields?: readonly string[];
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** Fields kept as metadata rather than sent: purge tags are an operator's business, not the client's. */
const TAG_FIELDS = new Set(['surrogate-key', 'cache-tag']);

export function buildStoredMeta(input: StoredMetaInput, policy: CachePolicy): CachedObjectMeta {
  const lookup = lookupInPairs(input.headers);
  const strip = new Set(input.stripFields ?? []);
  const headers = input.headers.filter(([name]) => name !== 'age' && !TAG_FIELDS.has(name) && !strip.has(name));
  return {
    key: input.key,
    variantKey: input.variantKey,
    url: input.url,
    status: input.status,
    headers,
    varyNames: input.varyNames,
    requestTime: input.requestTime,
    responseTime: input.responseTime,
    tags: [...parseTags(lookup), ...(input.extraTags ?? [])],
    policy: computePolicy(input.status, lookup, input, policy),
    ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
  };
}

function computePolicy(
  status: number,
  lookup: HeaderLookup,
  input: Pick<StoredMetaInput, 'requestTime' | 'responseTime' | 'ttlOverrideSeconds'>,
  policy: CachePolicy,
): StoredPolicy {
  const directives = selectCacheDirectives(lookup, policy.targetedCacheControl);
  const cc = directives.cacheControl;
  const lifetime = input.ttlOverrideSeconds ?? freshnessLifetime(status, directives.lookup, cc, {
    shared: true,
    // A missing or invalid Date is replaced by the time the response arrived (RFC 9110 §6.6.1).
    dateFallback: input.responseTime,
    heuristicFraction: policy.heuristicFraction,
    heuristicMaxSeconds: policy.heuristicMaxSeconds,
    ...(policy.defaultTtlSeconds === undefined ? {} : { defaultTtlSeconds: policy.defaultTtlSeconds }),
  });
  const etag = lookup('etag');
  const lastModified = lookup('last-modified');
  return {
    lifetimeSeconds: lifetime,
    initialAgeSeconds: currentAge(lookup, input, input.responseTime),
    staleWhileRevalidateSeconds: cc.staleWhileRevalidate ?? 0,
    staleIfErrorSeconds: cc.staleIfError ?? 0,
    mustRevalidate: mustRevalidate(cc),
    noCache: cc.noCache === true && (cc.noCacheFields === undefined || cc.noCacheFields.length === 0),
    ...(etag === undefined ? {} : { etag }),
    ...(lastModified === undefined ? {} : { lastModified }),
  };
}

/** s-maxage carries proxy-revalidate's meaning for a shared cache (RFC 9111 §5.2.2.10). */
function mustRevalidate(cc: CacheControl): boolean {
  return cc.mustRevalidate === true || cc.proxyRevalidate === true || cc.sMaxAge !== undefined;
}

function parseTags(lookup: HeaderLookup): string[] {
  const tags: string[] = [];
  const surrogate = lookup('surrogate-key');
  if (surrogate !== undefined) for (const tag of surrogate.split(/[\s,]+/)) if (tag !== '') tags.push(tag);
  const cacheTag = lookup('cache-tag');
  if (cacheTag !== undefined) for (const tag of cacheTag.split(',')) if (tag.trim() !== '') tags.push(tag.trim());
  return tags;
}

/** Fields a 304 must not overwrite in the stored response (RFC 9111 §3.2). */
const NOT_UPDATED_BY_304 = new Set(['content-length', 'content-encoding', 'content-range', 'content-md5', 'etag', 'age']);

/**
 * The stored object's metadata after a 304: fields replaced, timing and freshness recomputed
 * (with the TTL a hook set on the 304, if it set one). Fields the store may not keep (a 304's
 * Set-Cookie with store_set_cookie off, fields named by private= / no-cache=) are not merged: they
 * come back as `withheld`, for the revalidating client's own response only, as on a miss
 * (http/withheld-fields.ts).
 */
export function mergeNotModified(
  stored: CachedObjectMeta,
  notModifiedHeaders: HeaderPairs,
  timing: { requestTime: number; responseTime: number },
  policy: CachePolicy,
  ttlOverrideSeconds?: number,
): { meta: CachedObjectMeta; withheld: HeaderPairs } {
  const replaced = new Set<string>();
  for (const [name] of notModifiedHeaders) if (!NOT_UPDATED_BY_304.has(name) && !TAG_FIELDS.has(name)) replaced.add(name);
  const merged: [string, string][] = stored.headers.filter(([name]) => !replaced.has(name)).map(([n, v]) => [n, v]);
  for (const [name, value] of notModifiedHeaders) if (replaced.has(name)) merged.push([name, value]);
  const { cacheControl } = selectCacheDirectives(lookupInPairs(merged), policy.targetedCacheControl);
  const unstorable = unstorableFields(cacheControl, policy.storeSetCookie);
  const headers = merged.filter(([name]) => !unstorable.includes(name));
  const meta = {
    ...stored,
    headers,
    requestTime: timing.requestTime,
    responseTime: timing.responseTime,
    policy: computePolicy(stored.status, lookupInPairs(headers), ttlOverrideSeconds === undefined ? timing : { ...timing, ttlOverrideSeconds }, policy),
  };
  return { meta, withheld: withheldPairs(notModifiedHeaders, unstorable) };
}
