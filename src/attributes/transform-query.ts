/**
 * Config-only transforms (`image.transform_query`): on the configured path prefixes, the query
 * parameters w, h, fit, fmt and q ask for a variant of the image at the same URL without them
 * (`/img/cat.jpg?w=320&fmt=webp` is a 320 px WebP of `/img/cat.jpg`). The parameters are taken
 * out of the query the origin sees; every other parameter is passed on as written.
 */
import { OUTPUT_FORMATS, TRANSFORM_FITS, type OutputFormat, type TransformFit, type TransformSpec } from './transform-spec.ts';

export const TRANSFORM_PARAMS = ['w', 'h', 'fit', 'fmt', 'q'] as const;
type TransformParam = (typeof TRANSFORM_PARAMS)[number];

export type TransformQuery =
  /** The query asks for no transform: the request is left alone. */
  | { readonly tag: 'none' }
  | { readonly tag: 'spec'; readonly val: { readonly spec: TransformSpec; readonly rest: string } }
  | { readonly tag: 'invalid'; readonly val: string };

const NONE: TransformQuery = Object.freeze({ tag: 'none' });

export function matchesPrefix(prefixes: readonly string[], path: string): boolean {
  for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
  return false;
}

export function parseTransformQuery(query: string): TransformQuery {
  if (query === '') return NONE;
  const values = new Map<TransformParam, string>();
  const rest: string[] = [];
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = decodeOrNull(eq === -1 ? part : part.slice(0, eq));
    if (name === null || !isTransformParam(name)) {
      if (part !== '') rest.push(part);
      continue;
    }
    if (values.has(name)) return invalid(`query parameter ${name} given twice`);
    values.set(name, decodeOrNull(eq === -1 ? '' : part.slice(eq + 1)) ?? '');
  }
  if (values.size === 0) return NONE;
  const spec = specFromValues(values);
  return typeof spec === 'string' ? invalid(spec) : { tag: 'spec', val: { spec, rest: rest.join('&') } };
}

function specFromValues(values: ReadonlyMap<TransformParam, string>): TransformSpec | string {
  const spec: { -readonly [K in keyof TransformSpec]: TransformSpec[K] } = {};
  for (const [name, text] of values) {
    const problem = applyParam(spec, name, text);
    if (problem !== null) return problem;
  }
  return spec;
}

function applyParam(spec: { -readonly [K in keyof TransformSpec]: TransformSpec[K] }, name: TransformParam, text: string): string | null {
  switch (name) {
    case 'w':
    case 'h':
    case 'q': {
      // Digits only: "320", not "3.2e2" or " 320", so one transform has one spelling in logs.
      if (!/^\d{1,6}$/.test(text)) return `query parameter ${name} must be a positive integer, got "${text}"`;
      const value = Number(text);
      if (name === 'w') spec.width = value;
      else if (name === 'h') spec.height = value;
      else spec.quality = value;
      return null;
    }
    case 'fit':
      if (!(TRANSFORM_FITS as readonly string[]).includes(text)) return `query parameter fit must be one of ${TRANSFORM_FITS.join(', ')}`;
      spec.fit = text as TransformFit;
      return null;
    case 'fmt':
      if (text !== 'auto' && !(OUTPUT_FORMATS as readonly string[]).includes(text)) {
        return `query parameter fmt must be auto or one of ${OUTPUT_FORMATS.join(', ')}`;
      }
      spec.format = text as OutputFormat | 'auto';
      return null;
  }
}

function isTransformParam(name: string): name is TransformParam {
  return (TRANSFORM_PARAMS as readonly string[]).includes(name);
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

function invalid(message: string): TransformQuery {
  return { tag: 'invalid', val: message };
}
