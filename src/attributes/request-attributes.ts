/**
 * One request's attributes: what hooks read through RequestAttributes, and what the pipeline
 * needs for geo keying. Geo is looked up at most once per request, and only when something reads
 * it (a hook that declared it, or geo keying); image attributes are set by the pipeline for the
 * response a phase is about to see.
 */
import type { RequestAttributes } from '../pipeline/hook-seam.ts';
import type { AttributeServices } from './attribute-services.ts';
import type { GeoAttributes } from './geo.ts';
import { geoKeyPart } from './geo-key.ts';
import type { ImageAbsentReason, ImageAttributes, ImageInspection } from './image.ts';

const UNRESOLVED: unique symbol = Symbol('unresolved');
const NO_PARTS: readonly string[] = Object.freeze([]);

/** What the route's hooks declared they read (RouteHooks.readsGeo / readsImage). */
export interface AttributeReaders {
  readonly geo: boolean;
  readonly image: boolean;
}

export class RequestAttributeSet implements RequestAttributes {
  readonly clientIp: string;
  readonly readers: AttributeReaders;
  readonly #services: AttributeServices;
  #geo: GeoAttributes | undefined | typeof UNRESOLVED = UNRESOLVED;
  #geoBucket: string | undefined | typeof UNRESOLVED = UNRESOLVED;
  #image: ImageInspection | undefined;

  constructor(clientIp: string, services: AttributeServices, readers: AttributeReaders) {
    this.clientIp = clientIp;
    this.#services = services;
    this.readers = readers;
  }

  geo(): GeoAttributes | undefined {
    return this.readers.geo ? this.#lookupGeo() : undefined;
  }

  image(): ImageAttributes | undefined {
    return this.readers.image && this.#image?.tag === 'image' ? this.#image.val : undefined;
  }

  imageAbsentReason(): ImageAbsentReason | undefined {
    return this.readers.image && this.#image?.tag === 'absent' ? this.#image.val : undefined;
  }

  /** The pipeline sets what the next response phase sees (undefined: not an inspected image). */
  setImage(inspection: ImageInspection | undefined): void {
    this.#image = inspection;
  }

  /** The client's geo bucket when `cache.key.geo` is on (a country or a group), else undefined. */
  geoBucket(): string | undefined {
    if (this.#geoBucket === UNRESOLVED) {
      const key = this.#services.geoKey;
      this.#geoBucket = key === null ? undefined : key.bucket(this.#lookupGeo());
    }
    return this.#geoBucket;
  }

  /** Cache key parts the attributes add (after any hook parts). */
  keyParts(): readonly string[] {
    const bucket = this.geoBucket();
    return bucket === undefined ? NO_PARTS : [geoKeyPart(bucket)];
  }

  #lookupGeo(): GeoAttributes | undefined {
    if (this.#geo === UNRESOLVED) this.#geo = this.#services.geo?.lookup(this.clientIp);
    return this.#geo;
  }
}

const NOBODY: AttributeReaders = Object.freeze({ geo: false, image: false });

export function readersOf(route: { readonly readsGeo?: boolean; readonly readsImage?: boolean } | null): AttributeReaders {
  if (route === null || (route.readsGeo !== true && route.readsImage !== true)) return NOBODY;
  return { geo: route.readsGeo === true, image: route.readsImage === true };
}
