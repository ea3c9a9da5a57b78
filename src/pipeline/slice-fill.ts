/**
 * One slice from the origin: a cache fill (fill.ts) that asks for an aligned byte range. A 206
 * whose Content-Range is exactly the slice asked for (nginx's rule) passes on-origin-response and
 * is stored under the slice's key, judged as the 200 it is part of, when it carries a validator —
 * without ETag or Last-Modified nothing could tell two versions' slices apart, so such slices are
 * streamed but never stored. Any other answer is the origin's answer to the object (an origin
 * without range support sends 200, a missing one 404): it is handled as a whole-object fill under
 * the object's key, so it is served and stored exactly as on an unsliced path. A 416 (the slice
 * starts past the end) is only reported: stored under the object's key it would refuse every
 * later range.
 */
import type { CachedObject } from '../cache/types.ts';
import { EdgehookError } from '../errors.ts';
import type { CacheControl } from '../http/cache-control.ts';
import { parseContentRange } from '../http/content-range.ts';
import type { OriginResponse } from '../origin/origin-client.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import type { RequestContext } from './context.ts';
import { fetchForFill, notModified, storeOrPass, type FillOutcome } from './fill.ts';
import { runOriginPhase } from './origin-phase.ts';
import { discardStream } from './read-body.ts';
import { sliceBounds, sliceKey, sliceRangeField } from './slice-plan.ts';

export interface SliceFillRequest {
  /** The object's cache key: slices are stored under sliceKey(objectKey, size, index), a whole answer under it. */
  readonly objectKey: string;
  readonly index: number;
  /** Bytes per slice. */
  readonly size: number;
  readonly url: string;
  /** The stored slice being revalidated, when this is a conditional fill. */
  readonly stale: CachedObject | null;
  readonly requestCacheControl: CacheControl;
}

export async function fillSlice(ctx: RequestContext, request: SliceFillRequest): Promise<FillOutcome> {
  // The client's own Range and conditionals are dropped (answered here); the slice's Range is ours.
  const fetched = await fetchForFill(ctx, request.stale, sliceRangeField(request.index, request.size));
  if (fetched.kind === 'error') return fetched;
  const { response, headerPairs, timing } = fetched;
  if (response.status === 304 && request.stale !== null) {
    response.body.dump();
    return notModified(ctx, request.stale, { status: 304, headers: headerPairs, body: Buffer.alloc(0) }, timing);
  }
  if (response.status === 416) {
    discardStream(response.body);
    return { kind: 'private', status: 416, headers: headerPairs, body: Buffer.alloc(0), reason: 'slice-past-end' };
  }
  const isSlice = response.status === 206;
  const contentRange = isSlice ? checkedContentRange(ctx, request, response) : null;
  if (contentRange instanceof EdgehookError) return { kind: 'error', error: contentRange };
  const phase = await runOriginPhase(ctx, { status: response.status, headers: headerPairs, body: response.body }, 'miss');
  if (phase.kind === 'local') return { kind: 'local', response: phase.response };
  if (contentRange === null) return storeOrPass(ctx, { key: request.objectKey, url: request.url, stale: null, requestCacheControl: request.requestCacheControl }, phase, timing);
  // A slice's status and Content-Range are framing, like Content-Length: a hook's edit to them is not taken.
  const sliceHeaders = phase.headers.filter(([name]) => name !== 'content-range');
  sliceHeaders.push(['content-range', contentRange]);
  const slice = { ...phase, status: 206, headers: sliceHeaders };
  if (!sliceHeaders.some(([name]) => name === 'etag' || name === 'last-modified')) {
    return { kind: 'private', status: 206, headers: sliceHeaders, body: slice.body, reason: 'no-validator' };
  }
  const key = sliceKey(request.objectKey, request.size, request.index);
  return storeOrPass(ctx, { key, url: request.url, stale: request.stale, requestCacheControl: request.requestCacheControl, slice: true }, slice, timing);
}

/** The 206's Content-Range when it is exactly the slice asked for; else the error that refuses it (and its body). */
function checkedContentRange(ctx: RequestContext, request: SliceFillRequest, response: OriginResponse): string | EdgehookError {
  const field = response.headers['content-range'];
  const value = Array.isArray(field) ? undefined : field;
  const range = parseContentRange(value);
  const expected = range === undefined ? undefined : sliceBounds(request.index, request.size, range.size);
  if (range !== undefined && expected !== undefined && range.start === expected.start && range.end === expected.end) return value!;
  discardStream(response.body);
  const error = new EdgehookError('EH_ORIGIN_PROTOCOL', `origin answered ${sliceRangeField(request.index, request.size)} with Content-Range ${value ?? '(none)'}`);
  ctx.deps.metrics.countOriginError(error.code);
  ctx.deps.logger.warn('invalid slice from the origin', {
    code: error.code, url: request.url, range: sliceRangeField(request.index, request.size), content_range: value, ...traceLogFields(ctx.span),
  });
  return error;
}
