/**
 * The `geo:` section (where geo attributes come from) and `cache.key` (what, beyond the URL and
 * hook parts, goes into the cache key without a hook). Types are declared here next to their
 * fields; the compile-time checks at the bottom fail when the two drift apart.
 */
import type { GeoKeyMode } from '../attributes/geo-key.ts';
import * as s from './dsl/index.ts';

export const GEO_DATABASES = ['geoip-lite', 'none'] as const;
export const GEO_KEY_MODES = ['none', 'country', 'group'] as const satisfies readonly GeoKeyMode[];

export interface GeoOverrideConfig {
  /** Normalised "address/prefix". */
  readonly cidr: string;
  /** Upper case ISO 3166-1 alpha-2. */
  readonly country: string | null;
  readonly region: string | null;
  readonly city: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly timezone: string | null;
  readonly eu: boolean | null;
  readonly metro: number | null;
  readonly accuracyRadius: number | null;
}

export interface GeoConfig {
  readonly database: (typeof GEO_DATABASES)[number];
  /** Absolute when the config came from a file; null = geoip-lite's bundled data. */
  readonly dataDir: string | null;
  readonly overrides: readonly GeoOverrideConfig[];
  /** Group name → upper case country codes; a country is in at most one group. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly defaultGroup: string;
}

export interface CacheKeyConfig {
  readonly geo: GeoKeyMode;
}

const GROUP_NAME = { regex: /^[a-z0-9][a-z0-9_-]{0,31}$/, label: 'a group name like "eu" (lower case letters, digits, "_", "-"; at most 32)' };

const countryCode = (doc: string): s.Field<string> => s.map(
  s.string({ doc, pattern: { regex: /^[A-Za-z]{2}$/, label: 'an ISO 3166-1 alpha-2 country code like "GB"' } }),
  (code) => code.toUpperCase(),
);

const text = (doc: string): s.Field<string | null> => s.orNull(s.string({ doc }), { meaning: 'absent' });

const override = s.object({
  cidr: s.cidr({ doc: 'Addresses the row applies to (an address or a CIDR range).' }),
  country: s.orNull(countryCode('Country (ISO 3166-1 alpha-2).'), { meaning: 'absent' }),
  region: text('Region (subdivision) code.'),
  city: text('City name.'),
  latitude: s.orNull(s.number({ doc: 'Latitude in degrees.', min: -90, max: 90 }), { meaning: 'absent' }),
  longitude: s.orNull(s.number({ doc: 'Longitude in degrees.', min: -180, max: 180 }), { meaning: 'absent' }),
  timezone: text('IANA time zone, e.g. "Europe/London".'),
  eu: s.orNull(s.bool({ doc: 'In the European Union.' }), { meaning: 'absent' }),
  metro: s.orNull(s.int({ doc: 'US metro (DMA) code.', min: 1 }), { meaning: 'absent' }),
  accuracy_radius: s.orNull(s.int({ doc: 'Accuracy radius in km.', min: 1 }), { meaning: 'absent' }),
}, { doc: 'One override row.', required: true });

const geoShape = {
  database: s.enumOf(GEO_DATABASES, {
    doc: 'Where geo attributes come from after the override table: geoip-lite\'s data (loaded once at startup — about 110 MB — and only when '
      + 'cache.key.geo is set or a loaded hook imports request.geo), or none (the override table only).',
    default: 'geoip-lite',
  }),
  data_dir: s.orNull(s.path({ doc: 'A refreshed geoip-lite data directory (as its updatedb script writes it); read once at startup.' }), {
    meaning: 'geoip-lite\'s bundled data',
  }),
  overrides: s.array(override, {
    doc: 'Static table checked before the database, first match in list order; a matching row\'s attributes replace the lookup (nothing is merged). '
      + 'For private networks and tests.',
    default: [],
  }),
  groups: s.record(s.array(countryCode('A country code.'), { doc: 'Countries of the group.', minItems: 1 }), {
    doc: 'Country groups (used when cache.key.geo is group), e.g. {europe: [GB, DE, FR], na: [US, CA]}. Group names are lower case; a country is in at most one group.',
  }),
  default_group: s.string({
    doc: 'Group of clients whose country is in no group or unknown (cache.key.geo: group).',
    default: 'other',
    pattern: GROUP_NAME,
  }),
};

export const geoField: s.Field<GeoConfig> = s.map(s.object(geoShape, { doc: 'Geo attributes of the client address.' }), checkGroups);

/** Group names travel in a header and a cache key, and a country in two groups would have no single answer. */
function checkGroups(geo: GeoConfig, ctx: s.ParseContext): GeoConfig | s.Invalid {
  const groupsCtx = s.at(ctx, 'groups');
  const owner = new Map<string, string>();
  let ok = true;
  for (const [group, countries] of Object.entries(geo.groups)) {
    if (!GROUP_NAME.regex.test(group)) ok = report(s.at(groupsCtx, group), `expected ${GROUP_NAME.label}, got "${group}"`);
    for (const country of countries) {
      const other = owner.get(country);
      if (other !== undefined && other !== group) ok = report(s.at(groupsCtx, group), `expected ${country} in one group only, got it in ${other} and ${group}`);
      owner.set(country, group);
    }
  }
  return ok ? geo : s.INVALID;
}

function report(ctx: s.ParseContext, message: string): false {
  s.report(ctx, message);
  return false;
}

const cacheKeyShape = {
  geo: s.enumOf(GEO_KEY_MODES, {
    doc: 'Vary the cache key by the client\'s country or country group (geo.groups), and tell the origin which with the X-Edgehook-Geo-Group '
      + 'request header (a client\'s own X-Edgehook-Geo-Group is never forwarded). Unknown countries are "XX" (country) or geo.default_group (group).',
    default: 'none',
  }),
};

export const cacheKeyField: s.Field<CacheKeyConfig> = s.object(cacheKeyShape, { doc: 'Cache key parts added without a hook.' });

/** `cache.key.geo: group` with no groups would put every client in the default group: say so at startup. */
export function checkGeoKey<C extends { readonly cache: { readonly key: CacheKeyConfig }; readonly geo: GeoConfig }>(config: C, ctx: s.ParseContext): C | s.Invalid {
  if (config.cache.key.geo !== 'group' || Object.keys(config.geo.groups).length > 0) return config;
  return s.report(s.at(s.at(ctx, 'geo'), 'groups'), 'expected at least one group because cache.key.geo is "group", got none');
}

/** Fail to compile when the schema and the declared types disagree. */
export type GeoSchemaMatches = s.SameShape<s.ObjectValue<typeof geoShape>, GeoConfig>;
export type CacheKeySchemaMatches = s.SameShape<s.ObjectValue<typeof cacheKeyShape>, CacheKeyConfig>;
export type GeoOverrideSchemaMatches = s.SameShape<s.FieldValue<typeof override>, GeoOverrideConfig>;
