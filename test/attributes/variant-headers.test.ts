/** The fields of a transformed image: its own type and length, a derived entity tag, Vary: Accept when negotiated. */
import { describe, expect, it } from 'vitest';
import type { TransformedImage } from '../../src/attributes/transform.ts';
import { resolveTransform, type ResolvedTransform, type TransformSpec } from '../../src/attributes/transform-spec.ts';
import { mergedVary, variantHeaders } from '../../src/pipeline/variant-headers.ts';

const BOUNDS = { maxWidth: 4096, maxHeight: 4096, defaultQuality: 80, negotiate: ['webp'] as const };
const IMAGE: TransformedImage = {
  data: Buffer.alloc(123), format: 'webp', contentType: 'image/webp',
  attributes: { format: 'webp', width: 10, height: 10, hasAlpha: false, bytes: 123 },
};

function resolved(spec: TransformSpec, accept?: string): ResolvedTransform {
  const result = resolveTransform(spec, BOUNDS, accept);
  if (result.tag !== 'ok') throw new Error(result.val);
  return result.val;
}

describe('variantHeaders', () => {
  const original: [string, string][] = [
    ['content-type', 'image/jpeg'], ['content-length', '9999'], ['etag', '"abc"'], ['cache-control', 'max-age=60'],
    ['last-modified', 'Tue, 01 Jul 2025 00:00:00 GMT'], ['content-md5', 'xyz'], ['vary', 'Origin'],
  ];

  it('replaces what described the original bytes and keeps the rest', () => {
    const headers = new Map(variantHeaders(original, IMAGE, resolved({ width: 10, format: 'webp' })));
    expect(headers.get('content-type')).toBe('image/webp');
    expect(headers.get('content-length')).toBe('123');
    expect(headers.get('cache-control')).toBe('max-age=60');
    expect(headers.get('last-modified')).toBe('Tue, 01 Jul 2025 00:00:00 GMT');
    expect(headers.has('content-md5')).toBe(false);
    expect(headers.get('vary')).toBe('Origin');
    expect(headers.get('etag')).toMatch(/^"abc-[\w-]{12}"$/);
  });

  it('derives one tag per transform, keeping a weak tag weak', () => {
    const tagOf = (etag: string, spec: TransformSpec): string | undefined => new Map(variantHeaders([['etag', etag]], IMAGE, resolved(spec))).get('etag');
    expect(tagOf('"abc"', { width: 10 })).not.toBe(tagOf('"abc"', { width: 11 }));
    expect(tagOf('"abc"', { width: 10 })).toBe(tagOf('"abc"', { width: 10, fit: 'inside' }));
    expect(tagOf('W/"abc"', { width: 10 })).toMatch(/^W\/"abc-/);
  });

  it('adds Accept to Vary only when the format was negotiated', () => {
    expect(new Map(variantHeaders([], IMAGE, resolved({ format: 'auto' }, 'image/webp'))).get('vary')).toBe('Accept');
    expect(new Map(variantHeaders([], IMAGE, resolved({ format: 'webp' }))).has('vary')).toBe(false);
  });

  it.each<[string | undefined, boolean, string | undefined]>([
    [undefined, true, 'Accept'], ['', true, 'Accept'], ['Origin', true, 'Origin, Accept'], ['origin, ACCEPT', true, 'origin, ACCEPT'],
    ['Origin', false, 'Origin'], [undefined, false, undefined],
  ])('mergedVary(%j, %s) = %j', (vary, negotiated, expected) => {
    expect(mergedVary(vary, negotiated)).toBe(expected);
  });
});
