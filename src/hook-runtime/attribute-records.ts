/**
 * The attribute records of the WIT contract as plain JS values, shared by both guest bindings.
 * Host to guest (`geo-attributes`, `image-attributes`): every value is checked against its WIT
 * type here, once, so a number that is not a u32 (or an empty string) becomes `none` rather than
 * a trap in jco's glue or a wrapped integer in guest memory. Guest to host (`transform-spec`): the
 * record becomes the seam's TransformSpec, whose bounds HookCallState checks.
 */
import type { GeoAttributes, ImageAttributes, TransformSpec } from '../pipeline/hook-seam.ts';
import type { OutputFormat, TransformFit } from '../attributes/transform-spec.ts';

/** `geo-attributes`; field names are jco's camelCase of the WIT names. */
export interface GeoRecord {
  country?: string; region?: string; city?: string; latitude?: number; longitude?: number;
  timezone?: string; eu?: boolean; metro?: number; accuracyRadius?: number;
}

/** `image-attributes`; `bytes` is a u64, a BigInt as jco expects it. */
export interface ImageRecord {
  format: string; width: number; height: number; orientation?: number; hasAlpha: boolean; bytes: bigint; pages?: number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
function float(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function unsigned(value: unknown, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max ? value : undefined;
}
const U8 = 0xff;
const U32 = 0xffff_ffff;

export function geoRecord(geo: GeoAttributes): GeoRecord {
  const latitude = float(geo.latitude);
  const longitude = float(geo.longitude);
  // The contract promises both or neither: a lone coordinate is not a location.
  const located = latitude !== undefined && longitude !== undefined;
  return {
    country: text(geo.country), region: text(geo.region), city: text(geo.city),
    latitude: located ? latitude : undefined, longitude: located ? longitude : undefined,
    timezone: text(geo.timezone), eu: typeof geo.eu === 'boolean' ? geo.eu : undefined,
    metro: unsigned(geo.metro, U32), accuracyRadius: unsigned(geo.accuracyRadius, U32),
  };
}

export function imageRecord(image: ImageAttributes): ImageRecord {
  return {
    format: image.format, width: unsigned(image.width, U32) ?? 0, height: unsigned(image.height, U32) ?? 0,
    orientation: unsigned(image.orientation, U8), hasAlpha: image.hasAlpha === true,
    bytes: BigInt(unsigned(image.bytes, Number.MAX_SAFE_INTEGER) ?? 0), pages: unsigned(image.pages, U32),
  };
}

/** WIT `transform-fit` and `transform-format` cases, in declaration order (= their discriminants). */
export const WIT_FITS: readonly TransformFit[] = ['cover', 'contain', 'fill', 'inside', 'outside'];
export const WIT_FORMATS: ReadonlyArray<OutputFormat | 'auto'> = ['jpeg', 'png', 'webp', 'avif', 'auto'];

/** `transform-spec` with WIT `none` as undefined (or null, as QuickJS hands it over). */
export interface TransformRecord {
  width?: number | null; height?: number | null; fit?: TransformFit | null;
  withoutEnlargement: boolean; format?: OutputFormat | 'auto' | null; quality?: number | null;
}

/** The seam's spec: only the fields the hook set, so defaults apply to the rest. */
export function transformSpec(record: TransformRecord): TransformSpec {
  const spec: { -readonly [K in keyof TransformSpec]: TransformSpec[K] } = { withoutEnlargement: record.withoutEnlargement === true };
  if (record.width != null) spec.width = record.width;
  if (record.height != null) spec.height = record.height;
  if (record.fit != null) spec.fit = record.fit;
  if (record.format != null) spec.format = record.format;
  if (record.quality != null) spec.quality = record.quality;
  return spec;
}
