/**
 * The attribute machinery of one node, built once at startup from config and injected into the
 * pipeline: geo resolver, geo cache-key policy, image limits, the transformer and the
 * config-only transform routes. Nothing here is module state, so two nodes share a process.
 */
import { availableParallelism } from 'node:os';
import type { EdgehookConfig } from '../config/types.ts';
import { compactGeo, createGeoResolver, type GeoOverrideEntry, type GeoResolver } from './geo.ts';
import { loadGeoipLite } from './geo-database.ts';
import { createGeoKey, type GeoKey } from './geo-key.ts';
import type { ImageLimits } from './image.ts';
import { createImageTransformer, type ImageTransformer } from './transform.ts';
import type { TransformBounds } from './transform-spec.ts';

export interface AttributeServices {
  /** null when nothing can read geo (no resolver was built). */
  readonly geo: GeoResolver | null;
  /** null when `cache.key.geo` is none. */
  readonly geoKey: GeoKey | null;
  readonly imageLimits: ImageLimits;
  readonly transformBounds: TransformBounds;
  readonly transformer: ImageTransformer;
  /** Path prefixes on which `?w=&h=&fit=&fmt=&q=` ask for a variant ([] = off). */
  readonly transformQueryPrefixes: readonly string[];
  /**
   * Builds the geo resolver (loading geoip-lite's data) if startup did not: a hot reload brought
   * the first hook that reads geo. Synchronous and slow (~170 ms): call it off the request path.
   */
  enableGeo?(): void;
}

export interface AttributeServiceOptions {
  /** Whether a loaded hook reads geo (imports request.geo): the geo data is loaded only if something reads it. */
  readonly hooksMayReadGeo: boolean;
}

/** The image.transform bounds, which hooks are checked against too (they load before the services). */
export function transformBoundsOf(config: EdgehookConfig): TransformBounds {
  const { transform } = config.image;
  return {
    maxWidth: transform.maxWidth,
    maxHeight: transform.maxHeight,
    defaultQuality: transform.defaultQuality,
    negotiate: transform.negotiate,
  };
}

export function createAttributeServices(config: EdgehookConfig, options: AttributeServiceOptions): AttributeServices {
  const { geo, image } = config;
  const geoKey = createGeoKey({ mode: config.cache.key.geo, groups: geo.groups, defaultGroup: geo.defaultGroup });
  const buildGeo = (): GeoResolver => {
    const database = geo.database === 'geoip-lite' ? loadGeoipLite(geo.dataDir) : null;
    return createGeoResolver(geo.overrides.map(overrideEntry), database);
  };
  let resolver = geoKey !== null || options.hooksMayReadGeo ? buildGeo() : null;
  const imageLimits = { maxBytes: image.maxBytes, maxPixels: image.maxPixels };
  const { transform } = image;
  return {
    get geo() {
      return resolver;
    },
    enableGeo() {
      resolver ??= buildGeo();
    },
    geoKey,
    imageLimits,
    transformBounds: transformBoundsOf(config),
    transformer: createImageTransformer({
      ...imageLimits,
      // libuv's pool has four threads by default; more concurrent transforms would only queue there.
      concurrency: transform.concurrency === 0 ? Math.min(4, availableParallelism()) : transform.concurrency,
      maxWaiting: transform.maxQueue,
      timeoutSeconds: Math.max(1, Math.ceil(transform.timeout / 1000)),
    }),
    transformQueryPrefixes: image.transformQuery.pathPrefixes,
  };
}

function overrideEntry(row: EdgehookConfig['geo']['overrides'][number]): GeoOverrideEntry {
  const { cidr, ...fields } = row;
  return { cidr, attributes: compactGeo(fields) };
}
