/**
 * The body of a sliced object: a byte range streamed from the slices that cover it, in order, at
 * the client's pace (a Readable: the next slice is read only when the socket has room). The slice
 * after the one being sent is fetched meanwhile, so a client reading fast is not held up by one
 * origin round trip per slice; with a slow client at most two slices wait in memory.
 *
 * Every slice must be of the version the response began with (the base slice: same complete
 * length, ETag and Last-Modified). Different versions are never stitched together:
 * - a stored slice of another version is dropped and that slice fetched again;
 * - a slice fresh from the origin of another version means the object changed under the response
 *   (whose head, with the old validators, is out): every stored slice of the object is dropped
 *   and the response is cut — a client sees a truncated body, never a mixed one, and its retry
 *   gets the new version throughout. nginx fails such a response the same way; it keeps the
 *   stored slices, we drop them so the retry cannot meet the same mix.
 */
import { Readable } from 'node:stream';
import { EdgehookError } from '../errors.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import type { RequestContext } from './context.ts';
import { discardStream } from './read-body.ts';
import { readableOf } from '../origin/origin-body.ts';
import type { RangedBody } from './serve-stored.ts';
import { SharedBody, type BodyReader } from './shared-body.ts';
import { obtainSlice, releasePiece, releaseSource, type SliceLookup, type SlicePiece, type SliceSource } from './slice-source.ts';
import { sliceBounds, sliceCount, sliceIndexOf, sliceKey } from './slice-plan.ts';

/** Chunks a slice reader takes ahead of the client before it tells the shared body it is full. */
const READ_AHEAD_CHUNKS = 16;

/**
 * The object as a body read by range. `onOpen` is told when a stream is opened (the base slice's
 * body is then that stream's to release).
 */
export function slicedBody(ctx: RequestContext, lookup: SliceLookup, base: SlicePiece, onOpen: () => void): RangedBody {
  return {
    size: base.range.size,
    open(start, end) {
      onOpen();
      const stream = Readable.from(sliceBytes(ctx, lookup, base, start, end), { objectMode: false, highWaterMark: 64 * 1024 });
      // A stream destroyed before it was read never ran the generator, whose cleanup would let go of the base.
      stream.once('close', () => releasePiece(base));
      return stream;
    },
  };
}

async function* sliceBytes(ctx: RequestContext, lookup: SliceLookup, base: SlicePiece, start: number, end: number): AsyncGenerator<Buffer> {
  const first = sliceIndexOf(start, lookup.size);
  const last = sliceIndexOf(end, lookup.size);
  let ahead: { readonly index: number; readonly source: Promise<SliceSource> } | null = null;
  try {
    for (let index = first; index <= last; index++) {
      let piece = base;
      if (index !== base.index) {
        const source = ahead?.index === index ? await ahead.source : await obtainSlice(ctx, lookup, index);
        ahead = null;
        piece = await sameVersion(ctx, lookup, base, index, source);
      }
      if (index < last && index + 1 !== base.index) ahead = { index: index + 1, source: obtainSlice(ctx, lookup, index + 1) };
      const bounds = sliceBounds(index, lookup.size, base.range.size);
      yield* bytesOf(piece.body, Math.max(start, bounds.start) - bounds.start, Math.min(end, bounds.end) - bounds.start);
    }
  } catch (error) {
    const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_INTERNAL', 'sliced response failed', { cause: error });
    ctx.deps.logger.warn('sliced response cut', { code: failure.code, reason: failure.message, error, url: lookup.url, ...traceLogFields(ctx.span) });
    throw failure;
  } finally {
    if (ahead !== null) void ahead.source.then(releaseSource, () => {});
  }
}

/** The slice when it is of the base's version (after one refetch of a stored slice that is not); else the response is cut. */
async function sameVersion(ctx: RequestContext, lookup: SliceLookup, base: SlicePiece, index: number, source: SliceSource): Promise<SlicePiece> {
  let piece = sliceOf(source, index);
  if (piece.status.hit && !isSameVersion(base, piece)) {
    ctx.deps.store.delete(sliceKey(lookup.objectKey, lookup.size, index));
    piece = sliceOf(await obtainSlice(ctx, lookup, index), index);
  }
  if (isSameVersion(base, piece)) return piece;
  releasePiece(piece);
  dropSlices(ctx, lookup, [base.range.size, piece.range.size]);
  ctx.deps.metrics.countOriginError('EH_SLICE_MISMATCH');
  throw new EdgehookError('EH_SLICE_MISMATCH', `slice ${index} is of another version than slice ${base.index} (${describe(piece)} vs ${describe(base)}): the object changed`);
}

function sliceOf(source: SliceSource, index: number): SlicePiece {
  switch (source.kind) {
    case 'slice':
      return source.piece;
    case 'error':
      throw source.error;
    case 'past-end':
      throw new EdgehookError('EH_SLICE_MISMATCH', `slice ${index} is past the end of the object: it shrank`);
    default:
      releaseSource(source);
      throw new EdgehookError('EH_SLICE_MISMATCH', `slice ${index} was answered as a whole object (${source.kind})`);
  }
}

function isSameVersion(base: SlicePiece, piece: SlicePiece): boolean {
  return base.range.size === piece.range.size && base.meta.policy.etag === piece.meta.policy.etag
    && base.meta.policy.lastModified === piece.meta.policy.lastModified;
}

function describe(piece: SlicePiece): string {
  return `${piece.range.size} bytes, ETag ${piece.meta.policy.etag ?? '(none)'}, Last-Modified ${piece.meta.policy.lastModified ?? '(none)'}`;
}

/** Every stored slice of the object, for each length it has been seen with. */
function dropSlices(ctx: RequestContext, lookup: SliceLookup, totals: readonly number[]): void {
  const count = Math.max(...totals.map((total) => sliceCount(total, lookup.size)));
  for (let index = 0; index < count; index++) ctx.deps.store.delete(sliceKey(lookup.objectKey, lookup.size, index));
}

/** Bytes from..to (inclusive, relative to the slice) of a slice's body. */
async function* bytesOf(body: SlicePiece['body'], from: number, to: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    yield body.subarray(from, to + 1);
    return;
  }
  if (body instanceof SharedBody) {
    yield* window(readShared(body), from, to);
    return;
  }
  const stream = readableOf(body);
  try {
    yield* window(stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>, from, to);
  } finally {
    if (!stream.readableEnded) discardStream(stream);
  }
}

async function* window(chunks: AsyncIterable<Buffer>, from: number, to: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for await (const chunk of chunks) {
    const low = Math.max(from - offset, 0);
    const high = Math.min(to + 1 - offset, chunk.length);
    offset += chunk.length;
    if (high > low) yield low === 0 && high === chunk.length ? chunk : chunk.subarray(low, high);
    if (offset > to) return;
  }
  throw new EdgehookError('EH_ORIGIN_PROTOCOL', `slice body ended after ${offset} bytes`);
}

/** A shared body (a slice being filled) as chunks, taken as the consumer asks for them. */
async function* readShared(shared: SharedBody): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let resumeSource: (() => void) | null = null;
  const reader: BodyReader = {
    onChunk(chunk, resume) {
      queue.push(chunk);
      wake?.();
      if (queue.length < READ_AHEAD_CHUNKS) return true;
      resumeSource = resume;
      return false;
    },
    onEnd() {
      ended = true;
      wake?.();
    },
    onError(error) {
      failure = error;
      wake?.();
    },
  };
  if (!shared.subscribe(reader)) throw new EdgehookError('EH_INTERNAL', 'slice body no longer readable from its start');
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        if (resumeSource !== null && queue.length === 0) {
          const resume: () => void = resumeSource;
          resumeSource = null;
          resume();
        }
        yield chunk;
        continue;
      }
      if (failure !== null) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    shared.unsubscribe(reader);
  }
}
