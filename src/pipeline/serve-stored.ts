/**
 * Answering from a stored object (or one being filled): the client's own conditionals (304/412),
 * a single byte Range (206/416), and the Age the object has now. HEAD shares the GET object.
 */
import { storedInspection } from '../attributes/image.ts';
import type { CachedObjectMeta } from '../cache/types.ts';
import { evaluateConditionals } from '../http/conditional.ts';
import { ifRangeAllows, parseRange } from '../http/range.ts';
import type { RequestContext } from './context.ts';
import type { ResponseSource } from './hook-seam.ts';
import type { BodySource, Outgoing } from './respond.ts';
import type { SharedBody } from './shared-body.ts';

/** Fields a 304 leaves out: it describes the stored representation without sending it. */
const NOT_IN_304 = new Set(['content-length', 'content-range', 'transfer-encoding']);

export function storedOutgoing(
  ctx: RequestContext,
  object: { readonly meta: CachedObjectMeta; readonly body: Buffer | null },
  age: number,
  cacheStatus: string,
  source: ResponseSource,
  filling?: SharedBody,
): Outgoing {
  const { meta } = object;
  const headers: [string, string][] = [];
  for (const pair of meta.headers) headers.push(pair as [string, string]);
  headers.push(['age', String(age)]);

  const header = (name: string): string | undefined => ctx.view.header(name);
  const method = ctx.view.method;
  const validators = { etag: meta.policy.etag, lastModified: meta.policy.lastModified };
  // Computed once on the miss and stored: on-response on a hit sees it without decoding.
  const image = storedInspection(meta.attributes);
  if (meta.status === 200) {
    // Without Last-Modified, If-Modified-Since is judged against Date (RFC 9111 §4.3.2); looked up
    // only when the request is conditional that way.
    const date = validators.lastModified === undefined && header('if-modified-since') !== undefined ? fieldValue(meta, 'date') : undefined;
    const verdict = evaluateConditionals(method, header, date === undefined ? validators : { ...validators, date });
    if (verdict === 'not-modified') {
      return { status: 304, headers: headers.filter(([name]) => !NOT_IN_304.has(name)), body: { kind: 'none' }, source, cacheStatus, image };
    }
    if (verdict === 'precondition-failed') {
      return { status: 412, headers: [['content-length', '0']], body: { kind: 'none' }, source, cacheStatus };
    }
  }
  const body = bodySource(object.body, filling);
  if (meta.status === 200 && method === 'GET') {
    const ranged = rangeOutgoing(ctx, headers, body, validators, source, cacheStatus);
    if (ranged !== null) return { ...ranged, image };
  }
  return { status: meta.status, headers, body, source, cacheStatus, image };
}

function fieldValue(meta: CachedObjectMeta, name: string): string | undefined {
  return meta.headers.find(([field]) => field === name)?.[1];
}

function bodySource(stored: Buffer | null, filling: SharedBody | undefined): BodySource {
  if (stored !== null) return { kind: 'buffer', data: stored };
  if (filling !== undefined) return { kind: 'shared', body: filling };
  return { kind: 'none' };
}

function rangeOutgoing(
  ctx: RequestContext,
  headers: [string, string][],
  body: BodySource,
  validators: { etag: string | undefined; lastModified: string | undefined },
  source: ResponseSource,
  cacheStatus: string,
): Outgoing | null {
  const rangeHeader = ctx.view.header('range');
  if (rangeHeader === undefined) return null;
  const size = knownSize(headers, body);
  if (size === null || !ifRangeAllows(ctx.view.header('if-range'), validators.etag, validators.lastModified)) return null;
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    const rest = headers.filter(([name]) => name !== 'content-length' && name !== 'content-type');
    rest.push(['content-range', `bytes */${size}`], ['content-length', '0']);
    return { status: 416, headers: rest, body: { kind: 'none' }, source, cacheStatus };
  }
  if (range.kind !== 'satisfiable') return null;
  const rest = headers.filter(([name]) => name !== 'content-length');
  rest.push(['content-range', `bytes ${range.start}-${range.end}/${size}`], ['content-length', String(range.end - range.start + 1)]);
  const sliced: BodySource = body.kind === 'buffer'
    ? { kind: 'buffer', data: body.data.subarray(range.start, range.end + 1) }
    : body.kind === 'shared' ? { kind: 'shared', body: body.body, slice: { start: range.start, end: range.end } } : body;
  return { status: 206, headers: rest, body: sliced, source, cacheStatus };
}

function knownSize(headers: readonly (readonly [string, string])[], body: BodySource): number | null {
  if (body.kind === 'buffer') return body.data.length;
  const declared = headers.find(([name]) => name === 'content-length');
  if (declared === undefined) return null;
  const size = Number(declared[1]);
  return Number.isSafeInteger(size) && size >= 0 ? size : null;
}

