/**
 * Geo in the cache key without a hook (config `cache.key.geo`): each request is put in a geo
 * bucket — its country, or the country group its country belongs to — and the bucket becomes a
 * cache key part and a request header for the origin. Objects an origin personalises by geo are
 * then stored once per bucket and never served to a client of another bucket.
 *
 * The key part is always present while keying is on (unknown clients get a bucket too) and is
 * appended after any hook key parts, so no hook-supplied part can make two buckets share a key.
 */
import type { GeoAttributes } from './geo.ts';

export type GeoKeyMode = 'none' | 'country' | 'group';

/** The request field that tells the origin which bucket it is answering for. */
export const GEO_GROUP_HEADER = 'x-edgehook-geo-group';

/** Bucket of a client whose country is unknown, in country mode (the user-assigned ISO code). */
export const UNKNOWN_COUNTRY = 'XX';

export interface GeoKeyOptions {
  readonly mode: GeoKeyMode;
  /** Group name → ISO country codes (upper case), in group mode. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Group of countries in no group, and of clients whose country is unknown. */
  readonly defaultGroup: string;
}

export interface GeoKey {
  readonly mode: GeoKeyMode;
  /** The client's bucket: a country code or a group name. */
  bucket(geo: GeoAttributes | undefined): string;
}

export function createGeoKey(options: GeoKeyOptions): GeoKey | null {
  if (options.mode === 'none') return null;
  if (options.mode === 'country') {
    return { mode: 'country', bucket: (geo) => geo?.country ?? UNKNOWN_COUNTRY };
  }
  const groupOf = new Map<string, string>();
  for (const [group, countries] of Object.entries(options.groups)) for (const country of countries) groupOf.set(country, group);
  const fallback = options.defaultGroup;
  return {
    mode: 'group',
    bucket: (geo) => (geo?.country === undefined ? fallback : groupOf.get(geo.country) ?? fallback),
  };
}

/** The cache key part for a bucket; the prefix keeps it apart from hook parts in logs and dumps. */
export function geoKeyPart(bucket: string): string {
  return `edgehook-geo=${bucket}`;
}
