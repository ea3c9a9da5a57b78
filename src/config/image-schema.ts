/**
 * The `image:` section: bounds on inspecting and transforming images, and the config-only way to
 * ask for a transform (`transform_query`). Types are declared next to their fields; the
 * compile-time check at the bottom fails when the two drift apart.
 */
import { DEFAULT_TRANSFORM_BOUNDS as DEFAULTS, OUTPUT_FORMATS, type OutputFormat } from '../attributes/transform-spec.ts';
import * as s from './dsl/index.ts';

export interface ImageTransformConfig {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly defaultQuality: number;
  readonly negotiate: readonly OutputFormat[];
  /** 0 = up to 4, by CPU count. */
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly timeout: s.Millis;
}

export interface ImageConfig {
  readonly maxBytes: s.ByteCount;
  readonly maxPixels: number;
  readonly transform: ImageTransformConfig;
  readonly transformQuery: { readonly pathPrefixes: readonly string[] };
}

/** libvips' largest dimension is 0x3FFF for several formats (WebP among them). */
const MAX_DIMENSION = 16_383;

const transformShape = {
  max_width: s.int({ doc: 'Largest output width a transform may ask for.', default: DEFAULTS.maxWidth, min: 1, max: MAX_DIMENSION }),
  max_height: s.int({ doc: 'Largest output height a transform may ask for.', default: DEFAULTS.maxHeight, min: 1, max: MAX_DIMENSION }),
  default_quality: s.int({ doc: 'Encoder quality when a transform names none.', default: DEFAULTS.defaultQuality, min: 1, max: 100 }),
  negotiate: s.array(s.enumOf(OUTPUT_FORMATS, { doc: 'An output format.' }), {
    doc: 'Formats format "auto" may choose, best first, when the client\'s Accept lists them explicitly (else the source format is kept). '
      + 'The response then carries Vary: Accept.',
    default: [...DEFAULTS.negotiate],
  }),
  concurrency: s.int({ doc: 'Transforms running at once (on libuv\'s thread pool); 0 = the CPU count, at most 4.', default: 0, min: 0, max: 64 }),
  max_queue: s.int({ doc: 'Transforms waiting for a slot; past this a variant request gets 503 (EH_IMAGE_BUSY).', default: 64, min: 0 }),
  timeout: s.duration({ doc: 'Time limit of one transform (whole seconds, rounded up).', default: '10s', min: 1 }),
};

const imageShape = {
  max_bytes: s.bytes({ doc: 'Largest image body that is inspected or transformed; larger ones are left alone (attributes absent, reason too-large).', default: '20MiB', min: 1 }),
  max_pixels: s.int({
    doc: 'Largest pixel count (width × height × frames) an image header may declare and still be decoded: the pixel and decompression bomb guard.',
    default: 40_000_000,
    min: 1,
  }),
  transform: s.object(transformShape, { doc: 'Image transforms (resize, format, quality), from hooks or transform_query.' }),
  transform_query: s.object({
    path_prefixes: s.array(s.string({ doc: 'A path prefix.', pattern: { regex: /^\//, label: 'a path prefix starting with "/"' } }), {
      doc: 'Path prefixes on which the query parameters w, h, fit, fmt (jpeg, png, webp, avif, auto) and q ask for a transformed variant of the image '
        + 'at the URL without them. [] = off.',
      default: [],
    }),
  }, { doc: 'Transforms asked for in the query string, without a hook.' }),
};

export const imageField: s.Field<ImageConfig> = s.object(imageShape, { doc: 'Image attributes and transforms (sharp).' });

/** Fails to compile when the schema and ImageConfig disagree. */
export type ImageSchemaMatches = s.SameShape<s.ObjectValue<typeof imageShape>, ImageConfig>;
