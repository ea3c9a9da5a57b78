/**
 * Writing the response: the one place a head reaches the client. It runs the on-response phase
 * (per-client, never stored), adds Via and Cache-Status, and sends the body from whichever source
 * the cache flow produced — a stored buffer, a shared origin body being filled, or a private
 * origin stream piped with backpressure.
 */
import type { ServerResponse } from 'node:http';
import { OriginBody, type StreamedBody } from '../origin/origin-body.ts';
import type { ImageInspection } from '../attributes/image.ts';
import { EdgehookError } from '../errors.ts';
import { HeaderMap } from '../http/header-map.ts';
import { SPAN } from '../telemetry/names.ts';
import type { CacheOutcome } from '../telemetry/proxy-metrics.ts';
import { recordResponse, tracePhase } from '../telemetry/pipeline-spans.ts';
import type { Pending, RequestContext } from './context.ts';
import type { HookResponseState, LocalResponse, MaybePromise, PhaseVerdict, ResponseSource } from './hook-seam.ts';
import { outgoingBodyForHooks } from './hook-body.ts';
import { discardStream } from './read-body.ts';
import type { BodyReader, SharedBody } from './shared-body.ts';

export type BodySource =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly data: Buffer }
  | { readonly kind: 'shared'; readonly body: SharedBody; readonly slice?: { start: number; end: number } }
  | { readonly kind: 'stream'; readonly stream: StreamedBody };

export interface Outgoing {
  status: number;
  /** Lowercase pairs; may be edited in place until sent. */
  headers: [string, string][];
  body: BodySource;
  readonly source: ResponseSource;
  readonly cacheStatus: string;
  /**
   * A miss whose response the cache did not store (no-store, private, too large, a hook said so):
   * hooks still see `miss`; metrics count it as `uncacheable`, out of the hit ratio (issue 13).
   */
  readonly uncacheable?: boolean;
  /** Image attributes of this response (stored with the object, or inspected on the miss). */
  readonly image?: ImageInspection;
}

const NO_BODY: BodySource = { kind: 'none' };

/** Synchronous unless on-response buffers a body or a hook answers asynchronously. */
export function respond(ctx: RequestContext, out: Outgoing): Pending {
  const chain = ctx.route?.onResponse ?? null;
  if (chain === null || ctx.hookRequest === null) return writeOut(ctx, out);
  const edited = runResponsePhase(ctx, out);
  if (edited instanceof Promise) return edited.then((settled) => writeOut(ctx, settled));
  writeOut(ctx, edited);
}

function runResponsePhase(ctx: RequestContext, out: Outgoing): MaybePromise<Outgoing> {
  const state: HookResponseState = {
    status: out.status,
    // Outgoing headers are lowercase pairs; the map is built only if a hook edits or lists them.
    headers: HeaderMap.fromLowercasePairs(out.headers),
    body: null,
    source: out.source,
    tags: [],
  };
  if (ctx.route!.responseBodyBytes > 0 && out.body.kind !== 'none') return bufferThenRunResponse(ctx, out, state);
  return runResponseHooks(ctx, out, state);
}

async function bufferThenRunResponse(ctx: RequestContext, out: Outgoing, state: HookResponseState): Promise<Outgoing> {
  const contentLength = out.headers.find(([name]) => name === 'content-length')?.[1];
  const read = await outgoingBodyForHooks(ctx, out.body, contentLength);
  if (read === null) return localOutgoing(ctx, overflowResponse(), 'error');
  state.body = read.buffered;
  return runResponseHooks(ctx, { ...out, body: read.body }, state, read.skip);
}

function runResponseHooks(ctx: RequestContext, out: Outgoing, state: HookResponseState, skip?: ReadonlySet<string>): MaybePromise<Outgoing> {
  ctx.attributes.setImage(out.image);
  const phaseSpan = ctx.deps.tracing.startChild(ctx.span, SPAN.phase['on-response']);
  const verdict = tracePhase(phaseSpan, ctx.route!.onResponse!.run(ctx.hookRequest!, state, phaseSpan, skip));
  if (verdict instanceof Promise) return verdict.then((settled) => afterResponsePhase(ctx, out, state, settled));
  return afterResponsePhase(ctx, out, state, verdict);
}

function afterResponsePhase(ctx: RequestContext, out: Outgoing, state: HookResponseState, verdict: PhaseVerdict): Outgoing {
  ctx.access?.verdict('on-response', verdict.tag);
  if (verdict.tag === 'respond') {
    releaseBody(out.body);
    return localOutgoing(ctx, verdict.val, 'local');
  }
  const headers = state.headers.toPairs();
  let body = out.body;
  if (state.body !== null) {
    body = { kind: 'buffer', data: state.body };
    setContentLength(headers, state.body.length);
  }
  return { status: state.status, headers, body, source: out.source, cacheStatus: out.cacheStatus, ...(out.uncacheable === true ? { uncacheable: true } : {}) };
}

/** Envoy's rule: a response body larger than the buffer a filter asked for is a 500 (body.overflow: error). */
function overflowResponse(): LocalResponse {
  return { status: 500, headers: [['content-type', 'text/plain']], body: Buffer.from('response body exceeds the hook buffer limit\n') };
}

export function localOutgoing(ctx: RequestContext, local: LocalResponse, source: ResponseSource): Outgoing {
  const headers: [string, string][] = local.headers.map(([n, v]) => [n.toLowerCase(), v]);
  setContentLength(headers, local.body.length);
  return {
    status: local.status,
    headers,
    body: local.body.length === 0 ? NO_BODY : { kind: 'buffer', data: local.body },
    source,
    cacheStatus: `${ctx.deps.cache.name}; fwd=bypass; detail=local`,
  };
}

/** A short plain-text answer naming the cause (errors, limits, hook verdicts). */
export function errorOutgoing(ctx: RequestContext, error: EdgehookError): Outgoing {
  const body = Buffer.from(`${error.message}\n`);
  const headers: [string, string][] = [['content-type', 'text/plain; charset=utf-8'], ['content-length', String(body.length)], ['cache-control', 'no-store']];
  // Shed for load: worth retrying in a moment (RFC 9110 §10.2.3).
  if (error.code === 'EH_OVERLOADED') headers.push(['retry-after', '1']);
  return {
    status: error.status,
    headers,
    body: { kind: 'buffer', data: body },
    source: 'error',
    cacheStatus: `${ctx.deps.cache.name}; fwd=miss; detail=${error.code}`,
  };
}

function writeOut(ctx: RequestContext, out: Outgoing): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) {
    releaseBody(out.body);
    return;
  }
  const flat: string[] = [];
  for (const [name, value] of out.headers) flat.push(name, value);
  flat.push('via', `1.1 ${ctx.deps.forwarding.via}`, 'cache-status', out.cacheStatus);
  const noBody = ctx.req.method === 'HEAD' || out.status === 204 || out.status === 304 || out.status < 200;
  // A buffer's length is known now; a streamed or shared body is counted as it is written, when
  // the response closes (issue 13: counted from its length at head time, a 10 MiB miss added 0).
  const known = noBody || out.body.kind === 'buffer' || out.body.kind === 'none';
  const outcome: CacheOutcome = out.uncacheable === true ? 'uncacheable' : out.source;
  ctx.deps.metrics.countResponse(outcome, out.status, noBody ? 0 : bodyLength(out.body));
  recordResponse(ctx.span, out.source, out.status, out.cacheStatus);
  ctx.access?.head(out.cacheStatus, out.source);
  const { metrics } = ctx.deps;
  const headAt = performance.now();
  res.writeHead(out.status, flat);
  if (noBody || known) {
    if (noBody) releaseBody(out.body);
    sendBody(res, noBody ? NO_BODY : out.body, null);
    // A whole body is handed to the socket now: no listener needed to time its end.
    metrics.observeRequest(outcome, (headAt - ctx.started) / 1000, (performance.now() - ctx.started) / 1000);
    return;
  }
  const tally: SentBytes = { bytes: 0 };
  res.once('close', () => {
    metrics.countBodyBytes(outcome, tally.bytes);
    metrics.observeRequest(outcome, (headAt - ctx.started) / 1000, (performance.now() - ctx.started) / 1000);
  });
  sendBody(res, out.body, tally);
}

/** Body bytes handed to the socket for one response (streamed and shared bodies). */
interface SentBytes {
  bytes: number;
}

function sendBody(res: ServerResponse, body: BodySource, tally: SentBytes | null): void {
  switch (body.kind) {
    case 'none':
      res.end();
      return;
    case 'buffer':
      res.end(body.data);
      return;
    case 'stream':
      pipeStream(body.stream, res, tally ?? { bytes: 0 });
      return;
    case 'shared':
      sendShared(res, body.body, body.slice, tally ?? { bytes: 0 });
  }
}

/**
 * Streams a body to the client with backpressure. An origin body is written straight from
 * undici's callbacks (see origin-body.ts); a Readable goes through plain pipe() rather than
 * stream.pipeline(), which allocates an AbortController per call and aborts it on completion,
 * building a DOMException (with a stack trace) for every proxied response.
 */
function pipeStream(stream: StreamedBody, res: ServerResponse, tally: SentBytes): void {
  if (stream instanceof OriginBody) {
    writeOriginBody(stream, res, tally);
    return;
  }
  stream.on('data', (chunk: Buffer) => {
    tally.bytes += chunk.length;
  });
  // Headers are out: a failing origin body can only be signalled by resetting the client.
  stream.once('error', () => res.destroy());
  res.once('close', () => {
    if (!stream.readableEnded) discardStream(stream);
  });
  stream.pipe(res);
}

function writeOriginBody(body: OriginBody, res: ServerResponse, tally: SentBytes): void {
  const resume = (): void => body.resume();
  res.once('close', () => {
    if (!body.ended) body.discard();
  });
  // undici usually parses a small response whole in one go, calling write and end back to back:
  // corked until the next tick, head, body and end leave in one writev instead of two or three.
  res.cork();
  process.nextTick(uncork, res);
  body.pipeTo({
    write(chunk) {
      tally.bytes += chunk.length;
      if (res.write(chunk)) return true;
      res.once('drain', resume);
      return false;
    },
    end: () => res.end(),
    // Headers are out: a failing origin body can only be signalled by resetting the client.
    error: () => res.destroy(),
  });
}

function uncork(res: ServerResponse): void {
  res.uncork();
}

/**
 * Follows a shared body (optionally one byte range of it) into one client response, taking the
 * next chunk only once the socket has room (the shared body keeps the rest, or cuts the reader).
 */
function sendShared(res: ServerResponse, shared: SharedBody, slice: { start: number; end: number } | undefined, tally: SentBytes): void {
  let offset = 0;
  const write = (piece: Buffer, resume: () => void): boolean => {
    tally.bytes += piece.length;
    if (res.write(piece)) return true;
    res.once('drain', resume);
    return false;
  };
  const reader: BodyReader = {
    onChunk(chunk, resume) {
      if (slice === undefined) return write(chunk, resume);
      const from = Math.max(slice.start - offset, 0);
      const to = Math.min(slice.end + 1 - offset, chunk.length);
      offset += chunk.length;
      return to > from ? write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to), resume) : true;
    },
    onEnd: () => res.end(),
    // Headers are gone already: the only honest signal left is a truncated, reset response.
    onError: () => res.destroy(),
  };
  res.once('close', () => shared.unsubscribe(reader));
  if (!shared.subscribe(reader)) res.destroy();
}

function bodyLength(body: BodySource): number {
  switch (body.kind) {
    case 'buffer':
      return body.data.length;
    default:
      // Streamed and shared bodies are counted as they are written (writeOut).
      return 0;
  }
}

/** Lets go of a body that will not be sent, so an origin stream is not left half-read. */
export function releaseBody(body: BodySource): void {
  if (body.kind === 'stream') discardStream(body.stream);
}

export function setContentLength(headers: [string, string][], length: number): void {
  const at = headers.findIndex(([name]) => name === 'content-length');
  if (at === -1) headers.push(['content-length', String(length)]);
  else headers[at] = ['content-length', String(length)];
}
