/**
 * The response fields of a transformed image: its own Content-Type and Content-Length, an entity
 * tag derived from the original's (one tag per representation), and Vary: Accept when the format
 * was chosen from Accept. Everything else (freshness, Last-Modified, caching directives) is the
 * original's.
 */
import { createHash } from 'node:crypto';
import type { TransformedImage } from '../attributes/transform.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import type { HeaderPairs } from '../cache/types.ts';
import { lookupInPairs } from './stored-object.ts';

/** Fields describing the original's bytes are replaced; Vary gains Accept when the format was negotiated. */
const REPLACED = new Set(['content-type', 'content-length', 'etag', 'content-md5', 'digest', 'repr-digest', 'content-digest']);

export function variantHeaders(original: HeaderPairs, image: TransformedImage, transform: ResolvedTransform): [string, string][] {
  const lookup = lookupInPairs(original);
  const headers: [string, string][] = original.filter(([name]) => !REPLACED.has(name) && name !== 'vary').map(([n, v]) => [n, v]);
  headers.push(['content-type', image.contentType], ['content-length', String(image.data.length)]);
  const etag = lookup('etag');
  if (etag !== undefined) headers.push(['etag', derivedEtag(etag, transform)]);
  const vary = mergedVary(lookup('vary'), transform.negotiated);
  if (vary !== undefined) headers.push(['vary', vary]);
  return headers;
}

/** The original's entity tag with the transform folded in: one resource, one tag per representation. */
function derivedEtag(etag: string, transform: ResolvedTransform): string {
  const weak = etag.startsWith('W/');
  const opaque = (weak ? etag.slice(2) : etag).replace(/^"|"$/g, '');
  const suffix = createHash('sha256').update(transform.canonical).digest('base64url').slice(0, 12);
  return `${weak ? 'W/' : ''}"${opaque}-${suffix}"`;
}

export function mergedVary(vary: string | undefined, negotiated: boolean): string | undefined {
  if (!negotiated) return vary;
  if (vary === undefined || vary.trim() === '') return 'Accept';
  return vary.split(',').some((name) => name.trim().toLowerCase() === 'accept') ? vary : `${vary}, Accept`;
}
