/**
 * Running image transforms with sharp. The work happens on libuv's thread pool (the event loop
 * only builds the pipeline and awaits it), bounded by a task limiter; inputs are refused by limit
 * before any pixel is decoded — bytes first, then the pixel count the header declares (which is
 * what a pixel or decompression bomb inflates), with sharp's own limitInputPixels as a second
 * guard — and each transform has a time limit. A refusal is a value, never a throw.
 */
import sharp, { type Metadata, type OutputInfo, type ResizeOptions } from 'sharp';
import { formatOfMetadata, HEADER_ONLY, type ImageAttributes, type ImageFormat, type ImageLimits } from './image.ts';
import { BUSY, createTaskLimiter, type TaskLimiter } from './task-limiter.ts';
import { outputFormatFor, type OutputFormat, type ResolvedTransform } from './transform-spec.ts';

export type TransformRefusal = 'too-large' | 'too-many-pixels' | 'corrupt' | 'unsupported' | 'busy' | 'failed';

export interface TransformedImage {
  readonly data: Buffer;
  readonly format: OutputFormat | 'gif';
  readonly contentType: string;
  /** Attributes of the output, known from the encoder without inspecting it again. */
  readonly attributes: ImageAttributes;
}

export type TransformOutcome =
  | { readonly tag: 'ok'; readonly val: TransformedImage }
  | { readonly tag: 'refused'; readonly val: TransformRefusal };

export interface TransformOptions extends ImageLimits {
  /** Transforms running at once. */
  readonly concurrency: number;
  /** Transforms waiting for a slot; past this a transform is refused as busy. */
  readonly maxWaiting: number;
  /** Time limit of one transform, in seconds (libvips stops at the next checkpoint). */
  readonly timeoutSeconds: number;
}

/** Counters of what happened, for tests, benchmarks and (later) metrics. */
export interface TransformStats {
  transforms: number;
  refused: number;
}

export interface ImageTransformer {
  transform(input: Buffer, transform: ResolvedTransform): Promise<TransformOutcome>;
  readonly stats: Readonly<TransformStats>;
}

export const CONTENT_TYPE_OF: Readonly<Record<OutputFormat | 'gif', string>> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif',
};

export function createImageTransformer(options: TransformOptions): ImageTransformer {
  const limiter = createTaskLimiter(options.concurrency, options.maxWaiting);
  const stats: TransformStats = { transforms: 0, refused: 0 };
  return {
    stats,
    async transform(input, transform) {
      const outcome = await limitedTransform(limiter, options, input, transform);
      if (outcome.tag === 'ok') stats.transforms++;
      else stats.refused++;
      return outcome;
    },
  };
}

async function limitedTransform(limiter: TaskLimiter, options: TransformOptions, input: Buffer, transform: ResolvedTransform): Promise<TransformOutcome> {
  if (input.length > options.maxBytes) return refused('too-large');
  const outcome = await limiter.run(() => runTransform(options, input, transform));
  return outcome === BUSY ? refused('busy') : outcome;
}

async function runTransform(options: TransformOptions, input: Buffer, transform: ResolvedTransform): Promise<TransformOutcome> {
  const source = await sourceOf(input, options);
  if (source.tag === 'refused') return source;
  const { format: sourceFormat, pages } = source.val;
  const format = outputFormatFor(transform.format, sourceFormat);
  // Frames survive only into formats that can hold them; otherwise the first frame is used.
  const animated = pages > 1 && (format === 'webp' || format === 'gif');
  try {
    let pipeline = sharp(input, { limitInputPixels: options.maxPixels, autoOrient: true, animated }).timeout({ seconds: options.timeoutSeconds });
    if (transform.width !== null || transform.height !== null) pipeline = pipeline.resize(resizeOptions(transform));
    const { data, info } = await pipeline
      .toFormat(format, { quality: transform.quality })
      .toBuffer({ resolveWithObject: true });
    return { tag: 'ok', val: transformed(data, format, info) };
  } catch {
    // Corrupt pixel data (failOn "warning"), the time limit, or an encoder failure.
    return refused('failed');
  }
}

interface SourceFacts {
  readonly format: ImageFormat;
  readonly pages: number;
}

/** Header facts of the input, or why it is refused before decoding. */
async function sourceOf(input: Buffer, limits: ImageLimits): Promise<{ tag: 'ok'; val: SourceFacts } | { tag: 'refused'; val: TransformRefusal }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input, HEADER_ONLY).metadata();
  } catch {
    return refused('corrupt');
  }
  const format = formatOfMetadata(metadata);
  if (format === undefined) return refused('unsupported');
  const pages = metadata.pages ?? 1;
  const pageHeight = metadata.pageHeight ?? metadata.height;
  if (metadata.width * pageHeight * pages > limits.maxPixels) return refused('too-many-pixels');
  return { tag: 'ok', val: { format, pages } };
}

function resizeOptions(transform: ResolvedTransform): ResizeOptions {
  return {
    ...(transform.width === null ? {} : { width: transform.width }),
    ...(transform.height === null ? {} : { height: transform.height }),
    fit: transform.fit,
    withoutEnlargement: transform.withoutEnlargement,
  };
}

function transformed(data: Buffer, format: OutputFormat | 'gif', info: OutputInfo): TransformedImage {
  const pages = info.pages ?? 1;
  return {
    data,
    format,
    contentType: CONTENT_TYPE_OF[format],
    attributes: {
      format,
      width: info.width,
      height: info.pageHeight ?? info.height,
      hasAlpha: info.hasAlpha,
      bytes: data.length,
      ...(pages > 1 ? { pages } : {}),
    },
  };
}

function refused(reason: TransformRefusal): { tag: 'refused'; val: TransformRefusal } {
  return { tag: 'refused', val: reason };
}
