/**
 * What the pipeline records on its spans, one helper per moment, so each pipeline file changes by
 * a line or two. Every helper takes a span that may be null (tracing off or sampled out: the
 * tracing module never hands out children of a span that is not recording) and then does nothing.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { normalizeAddress } from '../attributes/client-ip.ts';
import type { MaybePromise, PhaseVerdict, ResponseSource } from '../pipeline/hook-seam.ts';
import { ATTR, SPAN } from './names.ts';
import type { RequestTracing } from './request-tracing.ts';

/**
 * The request's target, known once the head passed the guard. The socket peer is recorded only
 * when it is not the client (a trusted proxy forwarded the request): otherwise it says nothing new.
 */
export function recordRequestTarget(
  span: Span | null,
  target: { authority: string; path: string },
  clientIp: string,
  peerAddress: string | undefined,
  hookNames: readonly string[] | undefined,
): void {
  if (span === null || !span.isRecording()) return;
  span.setAttribute(ATTR.urlPath, target.path);
  const { host, port } = splitAuthority(target.authority);
  span.setAttribute(ATTR.serverAddress, host);
  if (port !== undefined) span.setAttribute(ATTR.serverPort, port);
  span.setAttribute(ATTR.clientAddress, clientIp);
  const peer = peerAddress === undefined ? undefined : normalizeAddress(peerAddress);
  if (peer !== undefined && peer !== clientIp) span.setAttribute(ATTR.networkPeerAddress, peer);
  if (hookNames !== undefined && hookNames.length > 0) span.setAttribute(ATTR.routeHooks, [...hookNames]);
}

/** How the response was produced, and its Cache-Status header, on the SERVER span. */
export function recordResponse(span: Span | null, source: ResponseSource, status: number, cacheStatus: string): void {
  if (span === null || !span.isRecording()) return;
  span.setAttribute(ATTR.cacheResult, source);
  span.setAttribute(ATTR.cacheStatus, cacheStatus);
  if (status >= 500) span.setAttribute(ATTR.errorType, String(status));
}

/** A failure with a stable code (refused head, internal error) on the SERVER span. */
export function recordFailure(span: Span | null, code: string): void {
  if (span === null || !span.isRecording()) return;
  span.setAttribute(ATTR.errorType, code);
}

export function recordCollapsed(span: Span | null): void {
  if (span !== null && span.isRecording()) span.setAttribute(ATTR.collapsed, true);
}

/**
 * A "cache lookup" child covering a lookup that read the disk tier (backdated to
 * `lookup.startedMs`, a `performance.now()` reading), with what it found.
 *
 * A memory-tier lookup takes ≈ 0.4 µs and a recorded span costs tens of times that (created,
 * queued, serialized, sent: bench/telemetry-bench.ts); on a cache hit the lookup span was half of
 * all the tracing work, for a child that said only "hit" — which the SERVER span's Cache-Status
 * already says (`hit`, `fwd=uri-miss`, `fwd=vary-miss`). A disk read (≈ 8 µs for 1 KB, 60 µs for
 * 100 KB, more on a cold page cache) is time an SRE wants to see, so it keeps its span. The key
 * itself is not recorded (url.path and server.address name it).
 */
export function recordLookup(tracing: RequestTracing, span: Span | null, found: 'hit' | 'miss' | 'vary-miss', lookup: LookupTiming): void {
  if (!lookup.readDisk) return;
  const child = tracing.startChild(span, SPAN.cacheLookup, SpanKind.INTERNAL, lookup.startedMs);
  if (child === null) return;
  child.setAttribute(ATTR.cacheLookup, found);
  child.end(lookup.endedMs);
}

/** When a lookup ran (`performance.now()` readings) and whether it went below the memory tier. */
export interface LookupTiming {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly readDisk: boolean;
}

/**
 * Ends a phase span when the phase settles. Untraced, the chain's own result is returned as is
 * (no extra promise or microtask); traced, a chain that rejects still ends its span, as an error.
 */
export function tracePhase(span: Span | null, run: MaybePromise<PhaseVerdict>): MaybePromise<PhaseVerdict> {
  if (span === null) return run;
  if (!(run instanceof Promise)) {
    endPhaseSpan(span, run);
    return run;
  }
  return endWhenSettled(span, run);
}

async function endWhenSettled(span: Span, run: Promise<PhaseVerdict>): Promise<PhaseVerdict> {
  try {
    const verdict = await run;
    endPhaseSpan(span, verdict);
    return verdict;
  } catch (error) {
    endPhaseSpan(span, null);
    throw error;
  }
}

function endPhaseSpan(span: Span, verdict: PhaseVerdict | null): void {
  if (verdict === null) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'phase did not complete' });
  } else {
    span.setAttribute(ATTR.hookVerdict, verdict.tag);
    if (verdict.tag === 'respond') span.setAttribute(ATTR.httpResponseStatusCode, verdict.val.status);
  }
  span.end();
}

/** `notStored` names why a complete body was not written (e.g. a length mismatch). */
export function endStoreSpan(span: Span | null, bytes: number, notStored: string | null): void {
  if (span === null) return;
  span.setAttribute(ATTR.cacheObjectBytes, bytes);
  span.setAttribute(ATTR.cacheStored, notStored === null);
  if (notStored !== null) span.setAttribute(ATTR.cacheNotStoredReason, notStored);
  span.end();
}

/** "host:port", "[::1]:8080" or "host" → semconv server.address / server.port. */
export function splitAuthority(authority: string): { host: string; port?: number } {
  const colon = authority.lastIndexOf(':');
  if (colon === -1 || authority.endsWith(']')) return { host: stripBrackets(authority) };
  const port = Number(authority.slice(colon + 1));
  const host = stripBrackets(authority.slice(0, colon));
  return Number.isInteger(port) && port > 0 ? { host, port } : { host };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
