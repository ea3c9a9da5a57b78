/**
 * Image attributes of a response body, read with sharp's metadata(): libvips parses the headers
 * and does not decode pixels. Bounded: a body over the byte limit is not looked at, and a header
 * that declares more pixels than the pixel limit is reported, not decoded. A corrupt or
 * unsupported body is absent with a reason — inspection never throws.
 */
import sharp, { type Metadata, type SharpOptions } from 'sharp';

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'svg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface ImageAttributes {
  readonly format: ImageFormat;
  /** Stored pixel dimensions (EXIF orientation not applied, as sharp reports them). */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1–8, when the image has one. */
  readonly orientation?: number;
  readonly hasAlpha: boolean;
  /** Size of the encoded body. */
  readonly bytes: number;
  /** Frame count of an animated image (only when more than one). */
  readonly pages?: number;
}

export type ImageAbsentReason = 'too-large' | 'too-many-pixels' | 'corrupt' | 'unsupported' | 'content-encoded';

/** What inspecting a body gave: the same {tag, val} shape jco gives a WIT variant. */
export type ImageInspection =
  | { readonly tag: 'image'; readonly val: ImageAttributes }
  | { readonly tag: 'absent'; readonly val: ImageAbsentReason };

export interface ImageLimits {
  /** Bodies larger than this are not inspected or transformed. */
  readonly maxBytes: number;
  /** Images declaring more pixels (width × height × frames) are not decoded. */
  readonly maxPixels: number;
}

const CONTENT_TYPES: ReadonlyMap<string, ImageFormat> = new Map([
  ['image/jpeg', 'jpeg'], ['image/jpg', 'jpeg'], ['image/pjpeg', 'jpeg'],
  ['image/png', 'png'], ['image/webp', 'webp'], ['image/avif', 'avif'], ['image/gif', 'gif'],
  ['image/tiff', 'tiff'], ['image/svg+xml', 'svg'],
]);

/** The image format a Content-Type names, or undefined when it is not one edgehook inspects. */
export function imageFormatOf(contentType: string | undefined): ImageFormat | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  return CONTENT_TYPES.get((semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase());
}

/**
 * metadata() parses headers only, so the pixel limit is checked here (not by sharp, which would
 * report an over-limit image as a failure indistinguishable from a corrupt one).
 */
export const HEADER_ONLY: SharpOptions = Object.freeze({ limitInputPixels: false });

export function absent(reason: ImageAbsentReason): ImageInspection {
  return { tag: 'absent', val: reason };
}

export async function inspectImage(body: Buffer, limits: ImageLimits): Promise<ImageInspection> {
  if (body.length > limits.maxBytes) return absent('too-large');
  let metadata: Metadata;
  try {
    metadata = await sharp(body, HEADER_ONLY).metadata();
  } catch {
    return absent('corrupt');
  }
  const format = formatOfMetadata(metadata);
  if (format === undefined) return absent('unsupported');
  const pages = metadata.pages ?? 1;
  if (metadata.width * (metadata.pageHeight ?? metadata.height) * pages > limits.maxPixels) return absent('too-many-pixels');
  return { tag: 'image', val: attributesOf(metadata, format, body.length) };
}

function attributesOf(metadata: Metadata, format: ImageFormat, bytes: number): ImageAttributes {
  const pages = metadata.pages ?? 1;
  return {
    format,
    width: metadata.width,
    height: metadata.pageHeight ?? metadata.height,
    ...(metadata.orientation === undefined ? {} : { orientation: metadata.orientation }),
    hasAlpha: metadata.hasAlpha,
    bytes,
    ...(pages > 1 ? { pages } : {}),
  };
}

/** sharp names decoders, not formats: AVIF is its HEIF loader with AV1 compression. */
export function formatOfMetadata(metadata: Pick<Metadata, 'format' | 'compression'>): ImageFormat | undefined {
  const name = metadata.format as string;
  if (name === 'heif') return metadata.compression === 'av1' ? 'avif' : undefined;
  if (name === 'jpg') return 'jpeg';
  return (IMAGE_FORMATS as readonly string[]).includes(name) ? (name as ImageFormat) : undefined;
}

/** The stored inspection of a cached object (meta.attributes.image), checked since disk data is untyped. */
export function storedInspection(attributes: Readonly<Record<string, unknown>> | undefined): ImageInspection | undefined {
  const image = attributes?.['image'];
  if (typeof image !== 'object' || image === null) return undefined;
  const tag = (image as { tag?: unknown }).tag;
  return tag === 'image' || tag === 'absent' ? (image as ImageInspection) : undefined;
}
