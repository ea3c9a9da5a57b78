/**
 * Answering from a stored object (or one being filled, or one assembled from slices): the client's
 * own conditionals (304/412), a single byte Range (206/416), and the Age the object has now. HEAD
 * shares the GET object. The decision (planStoredAnswer) is apart from building the answer, so
 * the slice flow can see which bytes an answer needs before it reads any.
 */
import type { Readable } from 'node:stream';
import { normalizeAddress } from '../attributes/client-ip.ts';
import { storedInspection } from '../attributes/image.ts';
import type { CachedObjectMeta } from '../cache/types.ts';
import { evaluateConditionals } from '../http/conditional.ts';
import { ifRangeAllows, parseRange } from '../http/range.ts';
import type { RequestContext } from './context.ts';
import type { ResponseSource } from './hook-seam.ts';
import type { BodySource, Outgoing } from './respond.ts';
import { SharedBody } from './shared-body.ts';

/** Fields a 304 leaves out: it describes the stored representation without sending it. */
const NOT_IN_304 = new Set(['content-length', 'content-range', 'transfer-encoding']);

/** A body held nowhere whole, read one byte range at a time (an object stored in slices). */
export interface RangedBody {
  readonly size: number;
  /** A stream of bytes start..end (inclusive); nothing is read before it is. */
  open(start: number, end: number): Readable;
}

/** What an answer from a stored representation comes to, before any of its body is read. */
export type StoredAnswer =
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'precondition-failed' }
  | { readonly kind: 'unsatisfiable'; readonly size: number }
  | { readonly kind: 'range'; readonly start: number; readonly end: number; readonly size: number }
  | { readonly kind: 'whole' };

type StoredObject = { readonly meta: CachedObjectMeta; readonly body: Buffer | null };

const WHOLE: StoredAnswer = Object.freeze({ kind: 'whole' });

export function storedOutgoing(
  ctx: RequestContext,
  object: StoredObject,
  age: number,
  cacheStatus: string,
  source: ResponseSource,
  filling?: SharedBody | RangedBody,
): Outgoing {
  const size = object.body !== null ? object.body.length : filling !== undefined && isRanged(filling) ? filling.size : declaredSize(object.meta);
  return answerOutgoing(ctx, object, planStoredAnswer(ctx, object.meta, size), age, cacheStatus, source, filling);
}

/**
 * The client's conditionals, then its Range (GET only, honoured when If-Range allows and the size
 * is known). `size` is the representation's length; null when unknown (a fill without
 * Content-Length): its Range is then ignored.
 */
export function planStoredAnswer(ctx: RequestContext, meta: CachedObjectMeta, size: number | null): StoredAnswer {
  if (meta.status !== 200 || isPlainRequest(ctx.view)) return WHOLE;
  const header = (name: string): string | undefined => ctx.view.header(name);
  const validators = { etag: meta.policy.etag, lastModified: meta.policy.lastModified };
  // Without Last-Modified, If-Modified-Since is judged against Date (RFC 9111 §4.3.2); looked up
  // only when the request is conditional that way.
  const date = validators.lastModified === undefined && header('if-modified-since') !== undefined ? fieldValue(meta, 'date') : undefined;
  const verdict = evaluateConditionals(ctx.view.method, header, date === undefined ? validators : { ...validators, date });
  if (verdict === 'not-modified') return { kind: 'not-modified' };
  if (verdict === 'precondition-failed') return { kind: 'precondition-failed' };
  const rangeHeader = header('range');
  if (ctx.view.method !== 'GET' || rangeHeader === undefined || size === null) return WHOLE;
  if (!ifRangeAllows(header('if-range'), validators.etag, validators.lastModified)) return WHOLE;
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') return { kind: 'unsatisfiable', size };
  if (range.kind === 'satisfiable') return { kind: 'range', start: range.start, end: range.end, size };
  return WHOLE;
}

/** The response for a planned answer; the body comes from the stored buffer, the filling body or the ranged one. */
export function answerOutgoing(
  ctx: RequestContext,
  object: StoredObject,
  answer: StoredAnswer,
  age: number,
  cacheStatus: string,
  source: ResponseSource,
  filling?: SharedBody | RangedBody,
): Outgoing {
  const { meta } = object;
  const headers: [string, string][] = [];
  for (const pair of meta.headers) headers.push(pair as [string, string]);
  headers.push(['age', String(age)]);
  if (meta.tags.length > 0 && isTrustedCacheTier(ctx)) headers.push(['surrogate-key', meta.tags.join(' ')]);
  // Computed once on the miss and stored: on-response on a hit sees it without decoding.
  const image = storedInspection(meta.attributes);
  switch (answer.kind) {
    case 'not-modified':
      return { status: 304, headers: headers.filter(([name]) => !NOT_IN_304.has(name)), body: { kind: 'none' }, source, cacheStatus, image };
    case 'precondition-failed':
      return { status: 412, headers: [['content-length', '0']], body: { kind: 'none' }, source, cacheStatus };
    case 'unsatisfiable': {
      const rest = headers.filter(([name]) => name !== 'content-length' && name !== 'content-type');
      rest.push(['content-range', `bytes */${answer.size}`], ['content-length', '0']);
      return { status: 416, headers: rest, body: { kind: 'none' }, source, cacheStatus, image };
    }
    case 'range': {
      const rest = headers.filter(([name]) => name !== 'content-length');
      rest.push(['content-range', `bytes ${answer.start}-${answer.end}/${answer.size}`], ['content-length', String(answer.end - answer.start + 1)]);
      return { status: 206, headers: rest, body: rangeOf(object.body, filling, answer.start, answer.end), source, cacheStatus, image };
    }
    case 'whole':
      return { status: meta.status, headers, body: wholeOf(ctx, object.body, filling), source, cacheStatus, image };
  }
}

/** Fields that can make an answer from a stored object other than the whole of it (RFC 9110 §13, §14). */
const ANSWER_SHAPING_FIELDS = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'range'] as const;

/** No conditional and no Range: most hits, answered whole without evaluating anything. */
function isPlainRequest(view: RequestContext['view']): boolean {
  for (const name of ANSWER_SHAPING_FIELDS) if (view.header(name) !== undefined) return false;
  return true;
}

/**
 * Purge tags are kept out of responses (the operator's business, not the client's) — except to
 * another cache tier: an edge filling through this node as its shield stores the tags it is sent,
 * so a tag purge reaches the edge's copy too. Such a request advertises Surrogate-Capability (as
 * edgehook's fills do) and comes from a peer in proxy.trusted_proxies (where a shield lists its edges).
 */
function isTrustedCacheTier(ctx: RequestContext): boolean {
  return ctx.req.headers['surrogate-capability'] !== undefined && ctx.deps.clientIp.isTrusted(normalizeAddress(ctx.req.socket.remoteAddress ?? ''));
}

function fieldValue(meta: CachedObjectMeta, name: string): string | undefined {
  return meta.headers.find(([field]) => field === name)?.[1];
}

function isRanged(filling: SharedBody | RangedBody): filling is RangedBody {
  return !(filling instanceof SharedBody);
}

function declaredSize(meta: CachedObjectMeta): number | null {
  const declared = fieldValue(meta, 'content-length');
  if (declared === undefined) return null;
  const size = Number(declared);
  return Number.isSafeInteger(size) && size >= 0 ? size : null;
}

function wholeOf(ctx: RequestContext, stored: Buffer | null, filling: SharedBody | RangedBody | undefined): BodySource {
  if (stored !== null) return { kind: 'buffer', data: stored };
  if (filling === undefined) return { kind: 'none' };
  if (!isRanged(filling)) return { kind: 'shared', body: filling };
  // A HEAD sends no body: nothing is opened, so no slice is read for it.
  if (ctx.view.method === 'HEAD' || filling.size === 0) return { kind: 'none' };
  return { kind: 'stream', stream: filling.open(0, filling.size - 1) };
}

function rangeOf(stored: Buffer | null, filling: SharedBody | RangedBody | undefined, start: number, end: number): BodySource {
  if (stored !== null) return { kind: 'buffer', data: stored.subarray(start, end + 1) };
  if (filling === undefined) return { kind: 'none' };
  if (isRanged(filling)) return { kind: 'stream', stream: filling.open(start, end) };
  return { kind: 'shared', body: filling, slice: { start, end } };
}
