/**
 * What the cache stores and the interface every store implements. Reads are synchronous on
 * purpose: the memory store is a Map and lmdb reads from a memory map, so the cache-hit path
 * never waits for a promise. Writes may complete later.
 */

/** Response header fields as stored: lowercase names, one pair per field line, order kept. */
export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

export interface CachedObjectMeta {
  /** Primary cache key (method-independent for GET/HEAD, authority, normalised path+query, route key parts). */
  readonly key: string;
  /** Secondary key: the normalised values of the request headers the response's Vary names ('' when no Vary). */
  readonly variantKey: string;
  /** Absolute URL the object was fetched for (scheme://authority/path?query); purge by URL/prefix matches it. */
  readonly url: string;
  readonly status: number;
  /** Stored response headers (hop-by-hop fields already removed). */
  readonly headers: HeaderPairs;
  /**
   * Lowercase names of the request headers listed in Vary, or null when the response has no Vary.
   * Contains '*' when Vary is '*': such an object never matches a later request.
   */
  readonly varyNames: readonly string[] | null;
  /** When the request that produced this response was sent / the response was received (ms since epoch). */
  readonly requestTime: number;
  readonly responseTime: number;
  /** Purge tags from Surrogate-Key / Cache-Tag (and hooks). */
  readonly tags: readonly string[];
  /** Freshness facts computed once when stored, so a hit does no header parsing. */
  readonly policy: StoredPolicy;
  /** Extra attributes computed once on the miss and reused on hits (e.g. image attributes). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** What serving a stored object needs to know about its freshness, computed at store time. */
export interface StoredPolicy {
  /** Freshness lifetime in seconds (from HTTP headers, a config default TTL, or a hook's override). */
  readonly lifetimeSeconds: number;
  /** RFC 9111 §4.2.3 corrected_initial_age, in seconds; current age = this + resident time. */
  readonly initialAgeSeconds: number;
  /** RFC 5861 windows past staleness, in seconds (0 when absent). */
  readonly staleWhileRevalidateSeconds: number;
  readonly staleIfErrorSeconds: number;
  /** must-revalidate, proxy-revalidate or s-maxage: never served stale without revalidating. */
  readonly mustRevalidate: boolean;
  /** Unqualified no-cache: every use must be revalidated first. */
  readonly noCache: boolean;
  /** Validators for conditional requests (to the origin and from clients). */
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface CachedObject {
  readonly meta: CachedObjectMeta;
  readonly body: Buffer;
}

/** Objects a store did not keep, by reason; each store counts the ones that can happen to it. */
export interface CacheFaultCounts {
  /** Puts refused: larger than the store, or metadata not serializable. */
  readonly refused?: number;
  /** Stored entries that failed verification; dropped, never served (disk). */
  readonly corrupt?: number;
  /** Puts dropped because the disk write backlog was full (disk). */
  readonly dropped?: number;
  /** Writes lost to a failed commit, e.g. a full disk (disk). */
  readonly writeFailures?: number;
  /** Puts not attempted while disk writes were failing (disk). */
  readonly skipped?: number;
}

export interface CacheStoreStats extends CacheFaultCounts {
  readonly bytes: number;
  readonly entries: number;
  readonly evictions: number;
  readonly maxBytes: number;
  /** The object bound, for a store that has one (the memory tier: cache.memory.max_entries). */
  readonly maxEntries?: number;
}

export interface CacheStore {
  /** Every stored variant for a primary key, most recently stored first; undefined when none. */
  get(key: string): readonly CachedObject[] | undefined;
  /** Stores (or replaces) the variant identified by meta.key + meta.variantKey. */
  put(object: CachedObject): void;
  /** Replaces only the metadata of a stored variant (after a 304 revalidation); false if it is gone. */
  updateMeta(meta: CachedObjectMeta): boolean;
  /** Removes every variant of a primary key. Returns how many objects were removed. */
  delete(key: string): number;
  /** Removes every object whose meta.url equals `url` (all variants, all route keys). */
  purgeUrl(url: string): number;
  /** Removes every object whose meta.url starts with `prefix`. */
  purgeUrlPrefix(prefix: string): number;
  /** Removes every object tagged `tag`. */
  purgeTag(tag: string): number;
  stats(): CacheStoreStats;
  /**
   * How many gets so far read below the memory tier (a disk read); absent on a single-tier store.
   * Read before and after a lookup, it says whether that lookup did I/O (its trace span does).
   */
  diskReads?(): number;
  /** Flushes pending writes and releases resources. */
  close(): Promise<void>;
}
