/**
 * Geo attributes: real geoip-lite lookups of known public addresses (lookups in local data only —
 * no traffic goes to them), the override table, a refreshed data directory, and the
 * once-per-request rule.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttributeServices, type AttributeServices } from '../../src/attributes/attribute-services.ts';
import { createGeoResolver, type GeoAttributes, type GeoDatabase } from '../../src/attributes/geo.ts';
import { loadGeoipLite } from '../../src/attributes/geo-database.ts';
import { createGeoKey } from '../../src/attributes/geo-key.ts';
import { readersOf, RequestAttributeSet } from '../../src/attributes/request-attributes.ts';
import { resolveConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const geoip = loadGeoipLite(null);

describe('geoip-lite lookups', () => {
  it('locates a UK address with city-level fields', () => {
    const geo = geoip.lookup('81.2.69.160');
    expect(geo).toMatchObject({ country: 'GB', timezone: 'Europe/London' });
    expect(typeof geo?.city).toBe('string');
    expect(geo?.latitude).toBeTypeOf('number');
    expect(geo?.longitude).toBeTypeOf('number');
    expect(geo?.accuracyRadius).toBeGreaterThan(0);
    expect(geo?.eu).toBeTypeOf('boolean');
  });

  it('locates a US address; fields the data lacks are absent, not empty', () => {
    const geo = geoip.lookup('8.8.8.8');
    expect(geo).toMatchObject({ country: 'US', eu: false });
    expect(geo).not.toHaveProperty('city');
    expect(geo).not.toHaveProperty('metro');
    expect(Object.values(geo ?? {})).not.toContain('');
  });

  it('locates IPv6 addresses', () => {
    expect(geoip.lookup('2001:4860:4860::8888')).toMatchObject({ country: 'US' });
    expect(geoip.lookup('2a02:c7f::1')).toMatchObject({ country: 'GB' });
  });

  it.each(['10.1.2.3', '192.168.1.1', '127.0.0.1', '::1', 'not-an-address'])('knows nothing about %s', (address) => {
    expect(geoip.lookup(address)).toBeUndefined();
  });

  it('has no ASN, continent or postal code', () => {
    for (const field of ['asn', 'continent', 'postal']) expect(geoip.lookup('81.2.69.160')).not.toHaveProperty(field);
  });
});

describe('geo.data_dir', () => {
  let dir: string;
  beforeAll(async () => {
    // A refreshed directory holding only the country files: lookups then carry the country alone.
    dir = await mkdtemp(join(tmpdir(), 'edgehook-geodata-'));
    const bundled = join(dirname(createRequire(import.meta.url).resolve('geoip-lite')), '..', 'data');
    for (const file of ['geoip-country.dat', 'geoip-country6.dat']) await symlink(join(bundled, file), join(dir, file));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads that directory, leaving the bundled data as it was', () => {
    expect(loadGeoipLite(dir).lookup('81.2.69.160')).toEqual({ country: 'GB' });
    expect(loadGeoipLite(null).lookup('81.2.69.160')).toHaveProperty('city');
  });

  it('refuses a directory without geoip-lite data, at startup', () => {
    expect(() => loadGeoipLite(join(dir, 'missing'))).toThrow(ConfigError);
  });
});

describe('override table', () => {
  const resolver = createGeoResolver([
    { cidr: '10.0.0.0/8', attributes: { country: 'GB', city: 'London' } },
    { cidr: '10.1.0.0/16', attributes: { country: 'FR' } },
    { cidr: '2001:db8::/32', attributes: { country: 'DE', eu: true } },
    { cidr: '8.8.8.8/32', attributes: { country: 'CH' } },
  ], geoip);

  it('is checked first, in list order, and replaces the lookup', () => {
    expect(resolver.lookup('10.1.2.3')).toEqual({ country: 'GB', city: 'London' });
    expect(resolver.lookup('2001:db8::7')).toEqual({ country: 'DE', eu: true });
    expect(resolver.lookup('8.8.8.8')).toEqual({ country: 'CH' });
  });

  it('falls through to the database', () => {
    expect(resolver.lookup('81.2.69.160')).toMatchObject({ country: 'GB', timezone: 'Europe/London' });
    expect(resolver.lookup('192.168.0.1')).toBeUndefined();
  });

  it('works without a database (geo.database: none)', () => {
    const only = createGeoResolver([{ cidr: '10.0.0.0/8', attributes: { country: 'GB' } }], null);
    expect(only.lookup('10.0.0.1')).toEqual({ country: 'GB' });
    expect(only.lookup('81.2.69.160')).toBeUndefined();
  });
});

describe('per-request attributes', () => {
  function counting(): { database: GeoDatabase; lookups: string[] } {
    const lookups: string[] = [];
    return { lookups, database: { lookup: (address): GeoAttributes | undefined => (lookups.push(address), geoip.lookup(address)) } };
  }
  function services(database: GeoDatabase, keyed: boolean): AttributeServices {
    return {
      geo: createGeoResolver([], database),
      geoKey: createGeoKey({ mode: keyed ? 'group' : 'none', groups: { europe: ['GB', 'DE'] }, defaultGroup: 'other' }),
    } as Partial<AttributeServices> as AttributeServices;
  }

  it('looks geo up at most once, however often hooks ask', () => {
    const { database, lookups } = counting();
    const attributes = new RequestAttributeSet('81.2.69.160', services(database, true), readersOf({ readsGeo: true }));
    expect(attributes.geo()?.country).toBe('GB');
    attributes.geo();
    expect(attributes.geoBucket()).toBe('europe');
    expect(attributes.keyParts()).toEqual(['edgehook-geo=europe']);
    expect(lookups).toEqual(['81.2.69.160']);
  });

  it('never looks up when nothing reads geo', () => {
    const { database, lookups } = counting();
    const attributes = new RequestAttributeSet('81.2.69.160', services(database, false), readersOf(null));
    expect(attributes.geo()).toBeUndefined();
    expect(attributes.keyParts()).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it('hides geo from hooks that did not declare it, even when keying looked it up', () => {
    const { database, lookups } = counting();
    const attributes = new RequestAttributeSet('8.8.8.8', services(database, true), readersOf({ readsImage: true }));
    expect(attributes.geoBucket()).toBe('other');
    expect(attributes.geo()).toBeUndefined();
    expect(lookups).toHaveLength(1);
  });
});

describe('building the geo resolver', () => {
  const config = resolveConfig({
    origin: { url: 'http://127.0.0.1:1' },
    geo: { database: 'none', overrides: [{ cidr: '10.0.0.0/8', country: 'DE', timezone: 'Europe/Berlin' }] },
  });

  it('builds none when no hook reads geo and nothing keys on it; enableGeo builds it later (a reload)', () => {
    const services = createAttributeServices(config, { hooksMayReadGeo: false });
    expect(services.geo).toBeNull();
    services.enableGeo?.();
    expect(services.geo?.lookup('10.1.2.3')).toEqual({ country: 'DE', timezone: 'Europe/Berlin' });
  });

  it('builds it at startup when a loaded hook reads geo', () => {
    expect(createAttributeServices(config, { hooksMayReadGeo: true }).geo?.lookup('10.1.2.3')?.country).toBe('DE');
  });
});
