/**
 * Bodies for the hooks that read them, in the three phases that buffer one: on-request (the
 * request body, up to the route's largest `body.request`) and the two response phases (the
 * response body, up to its largest `body.response`). body-fit.ts decides who sees a body by its
 * size; this file reads the body as far as that decision needs, and — when no hook on the route
 * refuses an overflow — keeps it whole past the bound: what was read goes back in front of the
 * rest, so the body streams on unchanged and never truncated (`body.overflow: pass`). Each hook
 * skipped for a body gets one log line, with a stable code, its bound and the trace id, and is
 * counted (edgehook_hook_body_skips_total{hook,phase}).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { StreamedBody } from '../origin/origin-body.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import { fitBody, refusesOverflow, type BodyFit } from './body-fit.ts';
import type { RequestContext } from './context.ts';
import type { PhaseName, RouteHooks } from './hook-seam.ts';
import { bufferForHook, readRequestUpTo, readUpTo } from './read-body.ts';
import type { BodySource } from './respond.ts';
import type { BodyReader, SharedBody } from './shared-body.ts';

/** Stable code of the line that says a hook was not given a body over its bound (body.overflow: pass). */
export const BODY_OVER_BOUND = 'EH_HOOK_BODY_OVER_BOUND';

export interface HookBody<B> {
  /** What goes on: the buffered body, or the body as it came (what was read replayed first). */
  readonly body: B;
  /** What the hooks see (state.body); null when the body is over the route's bound. */
  readonly buffered: Buffer | null;
  /** Hooks not called for this body; undefined when every hook runs. */
  readonly skip: ReadonlySet<string> | undefined;
}

/**
 * on-request, for a request with a body; null = refused (413) or the client went away. A refused
 * body is left unread past the bound (what was read is put back): the caller answers and closes.
 */
export async function requestBodyForHooks(ctx: RequestContext, route: RouteHooks): Promise<HookBody<null> | null> {
  const readers = route.requestBodyReaders;
  const bound = route.requestBodyBytes;
  const req = ctx.req;
  const refuses = refusesOverflow(readers);
  const declared = req.headers['transfer-encoding'] === undefined ? declaredLength(req.headers['content-length']) : null;
  // Every reader passes: a body declared over the bound is not read at all.
  if (!refuses && declared !== null && declared > bound) return overBound(ctx, 'on-request', null, fitBody(readers, null), declared);
  const read = await readRequestUpTo(req, bound);
  if (read.tag === 'gone') return null;
  if (read.tag === 'whole') return bodyFor(ctx, 'on-request', null, read.val, readers);
  if (refuses) return null;
  dumpWhenUnread(req, ctx.res);
  return overBound(ctx, 'on-request', null, fitBody(readers, null), null);
}

/** on-origin-response (and on-response's streamed bodies); null = refused (500). */
export async function responseBodyForHooks(
  ctx: RequestContext, phase: PhaseName, body: StreamedBody | Buffer, contentLength: string | undefined,
): Promise<HookBody<StreamedBody | Buffer> | null> {
  const route = ctx.route!;
  const readers = route.responseBodyReaders;
  const bound = route.responseBodyBytes;
  if (refusesOverflow(readers)) {
    const buffered = await bufferForHook(body, bound);
    return buffered === null ? null : bodyFor(ctx, phase, buffered, buffered, readers);
  }
  const declared = declaredLength(contentLength);
  if (declared !== null && declared > bound) return overBound(ctx, phase, body, fitBody(readers, null), declared);
  const read = await readUpTo(body, bound);
  if (read.tag === 'whole') return bodyFor(ctx, phase, read.val, read.val, readers);
  return overBound(ctx, phase, read.val, fitBody(readers, null), null);
}

/** on-response: the outgoing body in whichever form the cache flow produced it; null = refused (500). */
export async function outgoingBodyForHooks(ctx: RequestContext, body: BodySource, contentLength: string | undefined): Promise<HookBody<BodySource> | null> {
  const readers = ctx.route!.responseBodyReaders;
  switch (body.kind) {
    case 'none':
      return { body, buffered: Buffer.alloc(0), skip: undefined };
    case 'buffer': {
      const fits = body.data.length <= ctx.route!.responseBodyBytes;
      const fit = fitBody(readers, fits ? body.data.length : null);
      if (fit.tag === 'refuse') return null;
      return fits ? bodyFor(ctx, 'on-response', body, body.data, readers) : overBound(ctx, 'on-response', body, fit, body.data.length);
    }
    case 'stream':
      return asSource(await responseBodyForHooks(ctx, 'on-response', body.stream, contentLength));
    case 'shared':
      if (refusesOverflow(readers)) {
        const buffered = await collectShared(body.body, ctx.route!.responseBodyBytes);
        return buffered === null ? null : bodyFor(ctx, 'on-response', body, buffered, readers);
      }
      // Read through one subscription from the first byte, so nothing can be dropped between
      // reading for the hooks and sending (a body the cache does not retain keeps no chunk twice).
      return asSource(await responseBodyForHooks(ctx, 'on-response', sharedStream(body.body, body.slice), contentLength));
  }
}

function asSource(read: HookBody<StreamedBody | Buffer> | null): HookBody<BodySource> | null {
  if (read === null) return null;
  const body: BodySource = Buffer.isBuffer(read.body) ? { kind: 'buffer', data: read.body } : { kind: 'stream', stream: read.body };
  return { body, buffered: read.buffered, skip: read.skip };
}

/** A body within the route's bound: the hooks see it, but for `pass` readers with a smaller bound. */
function bodyFor<B>(ctx: RequestContext, phase: PhaseName, body: B, buffered: Buffer, readers: RouteHooks['requestBodyReaders']): HookBody<B> {
  return { body, buffered, skip: skipped(ctx, phase, fitBody(readers, buffered.length), buffered.length) };
}

function overBound<B>(ctx: RequestContext, phase: PhaseName, body: B, fit: BodyFit, length: number | null): HookBody<B> {
  return { body, buffered: null, skip: skipped(ctx, phase, fit, length) };
}

/** The names of the readers skipped in this phase, each said in one line; undefined when none. */
function skipped(ctx: RequestContext, phase: PhaseName, fit: BodyFit, length: number | null): ReadonlySet<string> | undefined {
  if (fit.tag !== 'skip') return undefined;
  let names: Set<string> | undefined;
  for (const reader of fit.val) {
    if (!reader.phases.includes(phase)) continue;
    (names ??= new Set()).add(reader.name);
    ctx.deps.metrics.countHookBodySkip(reader.name, phase);
    ctx.deps.logger.warn('hook skipped: body over its bound', {
      code: BODY_OVER_BOUND, hook: reader.name, phase, bound: reader.maxBytes, ...(length === null ? {} : { body_bytes: length }),
      method: ctx.view.method, path: ctx.view.path, ...traceLogFields(ctx.span),
    });
  }
  return names;
}

function declaredLength(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string') return null;
  const length = Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/**
 * Node reads and drops a request body nobody consumed once the response has finished, to keep
 * the connection usable; a body read and put back counts as consumed, so that is done here for a
 * request the rest of the pipeline did not stream on (one a hook turned into a GET, answered
 * from the cache: the request guard refuses GET and HEAD with a body).
 */
function dumpWhenUnread(req: IncomingMessage, res: RequestContext['res']): void {
  res.once('finish', () => {
    if (!req.readableEnded && req.listenerCount('data') === 0 && req.listenerCount('readable') === 0) req.resume();
  });
}

/** Collects a shared body whole, or null past maxBytes (the `error` rule: the body is refused). */
function collectShared(shared: SharedBody, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const reader: BodyReader = {
      onChunk(chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          shared.unsubscribe(reader);
          resolve(null);
        } else chunks.push(chunk);
        return true;
      },
      onEnd: () => resolve(Buffer.concat(chunks, size)),
      onError: () => resolve(null),
    };
    if (!shared.subscribe(reader)) resolve(null);
  });
}

/** A shared body (one byte range of it, when given) as a Readable, paced by whoever reads it. */
function sharedStream(shared: SharedBody, slice: { start: number; end: number } | undefined): Readable {
  let offset = 0;
  let resumeShared: (() => void) | null = null;
  const stream = new Readable({
    read() {
      const resume = resumeShared;
      resumeShared = null;
      resume?.();
    },
    destroy(error, callback) {
      shared.unsubscribe(reader);
      callback(error);
    },
  });
  const reader: BodyReader = {
    onChunk(chunk, resume) {
      let piece = chunk;
      if (slice !== undefined) {
        const from = Math.max(slice.start - offset, 0);
        const to = Math.min(slice.end + 1 - offset, chunk.length);
        offset += chunk.length;
        if (to <= from) return true;
        piece = chunk.subarray(from, to);
      }
      if (stream.push(piece)) return true;
      resumeShared = resume;
      return false;
    },
    onEnd: () => void stream.push(null),
    onError: (error) => void stream.destroy(error),
  };
  if (!shared.subscribe(reader)) stream.destroy(new Error('shared body can no longer be read from its start'));
  return stream;
}
