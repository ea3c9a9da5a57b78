/**
 * geoip-lite as a GeoDatabase. Loaded once at startup, never on the request path: requiring it
 * reads ~110 MB of data synchronously (about 170 ms), after which a lookup is a binary search
 * (about 1 µs).
 *
 * geoip-lite 2 fixes its data directory when the module is evaluated (`global.geodatadir`, else
 * the GEODATADIR environment variable, else its bundled data/) and keeps the data in module
 * state; `reloadDataSync()` re-reads the same directory and cannot point elsewhere. So a node
 * configured with `geo.data_dir` evaluates its own copy of the module with `geodatadir` set for
 * that one synchronous require, and the usual copy stays untouched for everything else. Copies
 * are kept per directory: the data is immutable once loaded, so nodes in one process share it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { compactGeo, type GeoAttributes, type GeoDatabase } from './geo.ts';

/** The record geoip-lite returns (fields as its lib/geoip.js builds them). */
interface GeoipLiteRecord {
  readonly country: string;
  readonly region: string;
  readonly city: string;
  /** '1' / '0'; absent or '' without a location record. */
  readonly eu?: string;
  readonly timezone?: string;
  /** [latitude, longitude]; [null, null] (IPv4) or [0, 0] (IPv6) when the range has no location. */
  readonly ll: readonly [number | null, number | null];
  /** 0 when none. */
  readonly metro?: number;
  /** Accuracy radius in km; present only when the range has a location record. */
  readonly area?: number;
}

interface GeoipLite {
  lookup(address: string): GeoipLiteRecord | null;
}

const require = createRequire(import.meta.url);
const byDirectory = new Map<string, GeoipLite>();

/** geoip-lite's data: its bundled copy (dataDir null) or a refreshed directory (e.g. from its updatedb script). */
export function loadGeoipLite(dataDir: string | null): GeoDatabase {
  const geoip = dataDir === null ? (require('geoip-lite') as GeoipLite) : loadFromDirectory(resolve(dataDir));
  return { lookup: (address) => fromGeoipLite(geoip.lookup(address)) };
}

function loadFromDirectory(directory: string): GeoipLite {
  const known = byDirectory.get(directory);
  if (known !== undefined) return known;
  if (!existsSync(join(directory, 'geoip-country.dat'))) {
    throw new ConfigError(`geo.data_dir: ${directory} has no geoip-country.dat (expected a geoip-lite data directory)`);
  }
  const main = require.resolve('geoip-lite');
  const cached = require.cache[main];
  const global = globalThis as { geodatadir?: string };
  const previous = global.geodatadir;
  delete require.cache[main];
  global.geodatadir = directory;
  try {
    const geoip = require('geoip-lite') as GeoipLite;
    byDirectory.set(directory, geoip);
    return geoip;
  } catch (error) {
    throw new ConfigError(`geo.data_dir: cannot load geoip-lite data from ${directory}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (previous === undefined) delete global.geodatadir;
    else global.geodatadir = previous;
    if (cached === undefined) delete require.cache[main];
    else require.cache[main] = cached;
  }
}

export function fromGeoipLite(record: GeoipLiteRecord | null): GeoAttributes | undefined {
  if (record === null) return undefined;
  // A location record comes with an accuracy radius; without one, ll holds placeholders, not a place.
  const located = record.area !== undefined && record.ll[0] !== null && record.ll[1] !== null;
  const attributes = compactGeo({
    country: record.country,
    region: record.region,
    city: record.city,
    latitude: located ? record.ll[0] : undefined,
    longitude: located ? record.ll[1] : undefined,
    timezone: record.timezone,
    eu: record.eu === '1' ? true : record.eu === '0' ? false : undefined,
    metro: record.metro === undefined || record.metro <= 0 ? undefined : record.metro,
    accuracyRadius: located && record.area! > 0 ? record.area : undefined,
  });
  return Object.keys(attributes).length === 0 ? undefined : attributes;
}
