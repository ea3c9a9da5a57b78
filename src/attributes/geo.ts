/**
 * Geo attributes of a client address. A static override table (CIDR → attributes, first match in
 * list order) is checked first — for private networks, which no public data set locates, and for
 * tests — then a GeoDatabase (geoip-lite's data, see geo-database.ts). Every field is optional:
 * private addresses have none, IPv6 and country-only data have fewer.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors.ts';

/** The fields edgehook fills; there is no ASN, continent or postal code (see README). */
export interface GeoFields {
  /** ISO 3166-1 alpha-2, upper case ("GB"). */
  country?: string;
  /** Subdivision code within the country, as the data has it ("ENG", "CA"). */
  region?: string;
  city?: string;
  /** WGS84 degrees; present only together, and only when the data has a location for the range. */
  latitude?: number;
  longitude?: number;
  /** IANA time zone ("Europe/London"). */
  timezone?: string;
  /** The data set's "in the European Union" flag for the country. */
  eu?: boolean;
  /** US metro (DMA) code. */
  metro?: number;
  /** Radius around latitude/longitude, in kilometres, within which the address probably is. */
  accuracyRadius?: number;
}

/** What edgehook knows about where a client is (geoip-lite has no ASN, continent or postal code). */
export type GeoAttributes = Readonly<GeoFields>;

/** A source of geo attributes by address; undefined = not located. */
export interface GeoDatabase {
  lookup(address: string): GeoAttributes | undefined;
}

export interface GeoResolver {
  /** Override table first, then the database; undefined when neither knows the address. */
  lookup(address: string): GeoAttributes | undefined;
}

/** One override row: a range and the attributes every address in it gets (nothing is merged). */
export interface GeoOverrideEntry {
  /** Normalised "address/prefix" (config's cidr field). */
  readonly cidr: string;
  readonly attributes: GeoAttributes;
}

export function createGeoResolver(overrides: readonly GeoOverrideEntry[], database: GeoDatabase | null): GeoResolver {
  const table = overrides.map((entry) => ({ range: compileRange(entry.cidr), attributes: Object.freeze({ ...entry.attributes }) }));
  return {
    lookup(address) {
      const family = isIP(address);
      if (family === 0) return undefined;
      const type = family === 6 ? 'ipv6' : 'ipv4';
      for (const row of table) if (row.range.check(address, type)) return row.attributes;
      return database?.lookup(address);
    },
  };
}

function compileRange(cidr: string): BlockList {
  const [address = '', prefixText = ''] = cidr.split('/');
  const family = isIP(address);
  const prefix = Number(prefixText);
  if (family === 0 || !Number.isInteger(prefix)) throw new ConfigError(`geo.overrides: "${cidr}" is not a CIDR range`);
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/** Drops absent fields so a record only carries what is known (and stays small on the wire). */
export function compactGeo(fields: { readonly [K in keyof GeoFields]?: GeoFields[K] | null }): GeoAttributes {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== null && value !== '') out[name] = value;
  return Object.freeze(out) as GeoAttributes;
}
