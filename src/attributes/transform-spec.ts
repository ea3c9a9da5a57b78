/**
 * Image transform requests: what a hook (or a `?w=&fmt=` query) asks for, validated against the
 * configured bounds and reduced to one canonical form. The canonical string is part of the cache
 * key of the variant, so two spellings of one transform share an entry and a transform the
 * bounds forbid never gets one.
 */
import type { ImageFormat } from './image.ts';

export const TRANSFORM_FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type TransformFit = (typeof TRANSFORM_FITS)[number];

export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A transform as asked for; every field optional. */
export interface TransformSpec {
  readonly width?: number;
  readonly height?: number;
  /** How width and height combine (sharp's fit); default "inside": fit the box, keep the aspect ratio. */
  readonly fit?: TransformFit;
  /** Never scale up; default true. */
  readonly withoutEnlargement?: boolean;
  /** Output format; "auto" = the best the client's Accept allows; absent = keep the source's. */
  readonly format?: OutputFormat | 'auto';
  /** Encoder quality 1–100; default from config. */
  readonly quality?: number;
}

export interface TransformBounds {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly defaultQuality: number;
  /** Formats "auto" may pick, best first, when the client's Accept lists them. */
  readonly negotiate: readonly OutputFormat[];
}

/** The config's defaults (image.transform); for hook runners that have no node config. */
export const DEFAULT_TRANSFORM_BOUNDS: TransformBounds = Object.freeze({
  maxWidth: 4096, maxHeight: 4096, defaultQuality: 80, negotiate: Object.freeze(['avif', 'webp'] as const),
});

/** A validated transform with every default applied and the format decided. */
export interface ResolvedTransform {
  readonly width: number | null;
  readonly height: number | null;
  readonly fit: TransformFit;
  readonly withoutEnlargement: boolean;
  /** 'source': encode in the source's own format (PNG for sources sharp cannot write back). */
  readonly format: OutputFormat | 'source';
  /** The format was chosen from Accept: the response varies on it (Vary: Accept). */
  readonly negotiated: boolean;
  readonly quality: number;
  /** Canonical form, e.g. "w320,h-,inside,noup,webp,q80"; part of the variant's cache key. */
  readonly canonical: string;
}

export type TransformResolution =
  | { readonly tag: 'ok'; readonly val: ResolvedTransform }
  | { readonly tag: 'invalid'; readonly val: string };

export function resolveTransform(spec: TransformSpec, bounds: TransformBounds, accept: string | undefined): TransformResolution {
  const problem = specProblem(spec, bounds);
  if (problem !== null) return { tag: 'invalid', val: problem };
  const negotiated = spec.format === 'auto';
  const format = negotiated ? negotiateFormat(accept, bounds.negotiate) : spec.format ?? 'source';
  const resolved = {
    width: spec.width ?? null,
    height: spec.height ?? null,
    fit: spec.fit ?? 'inside',
    withoutEnlargement: spec.withoutEnlargement ?? true,
    format,
    negotiated,
    quality: spec.quality ?? bounds.defaultQuality,
  };
  return { tag: 'ok', val: { ...resolved, canonical: canonicalForm(resolved) } };
}

/** Why a spec is not acceptable, or null. Exported so the hook runtime can answer invalid-value at the call. */
export function specProblem(spec: TransformSpec, bounds: TransformBounds): string | null {
  if (spec.width === undefined && spec.height === undefined && spec.format === undefined && spec.quality === undefined) {
    return 'a transform needs a width, height, format or quality';
  }
  if (spec.width !== undefined && !inRange(spec.width, 1, bounds.maxWidth)) return `width must be an integer from 1 to ${bounds.maxWidth}`;
  if (spec.height !== undefined && !inRange(spec.height, 1, bounds.maxHeight)) return `height must be an integer from 1 to ${bounds.maxHeight}`;
  if (spec.quality !== undefined && !inRange(spec.quality, 1, 100)) return 'quality must be an integer from 1 to 100';
  if (spec.fit !== undefined && !(TRANSFORM_FITS as readonly string[]).includes(spec.fit)) return `fit must be one of ${TRANSFORM_FITS.join(', ')}`;
  if (spec.format !== undefined && spec.format !== 'auto' && !(OUTPUT_FORMATS as readonly string[]).includes(spec.format)) {
    return `format must be auto or one of ${OUTPUT_FORMATS.join(', ')}`;
  }
  return null;
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

function canonicalForm(t: Omit<ResolvedTransform, 'canonical'>): string {
  const format = t.negotiated ? `auto:${t.format}` : t.format;
  return `w${t.width ?? '-'},h${t.height ?? '-'},${t.fit},${t.withoutEnlargement ? 'noup' : 'up'},${format},q${t.quality}`;
}

/**
 * The first of `preferred` the client explicitly accepts (q > 0), else 'source'. A wildcard does
 * not count: browsers send image/* and *\/* with every image request, whatever they can decode.
 */
export function negotiateFormat(accept: string | undefined, preferred: readonly OutputFormat[]): OutputFormat | 'source' {
  if (accept === undefined) return 'source';
  const accepted = new Set<string>();
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';');
    const q = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    accepted.add(type.trim().toLowerCase());
  }
  return preferred.find((format) => accepted.has(`image/${format}`)) ?? 'source';
}

/** The format a transform writes: the source's own when asked to keep it and sharp can write it back. */
export function outputFormatFor(format: OutputFormat | 'source', source: ImageFormat): OutputFormat | 'gif' {
  if (format !== 'source') return format;
  if (source === 'gif') return 'gif';
  return (OUTPUT_FORMATS as readonly string[]).includes(source) ? (source as OutputFormat) : 'png';
}
