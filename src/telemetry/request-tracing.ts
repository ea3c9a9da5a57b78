/**
 * Spans on the request path, through `@opentelemetry/api` only. Built once per node from an
 * injected tracer and propagator; when tracing is off every method returns null at once, and a
 * span that is not recording (sampled out) gets no children, attributes or listeners — so a
 * sampled-out or untraced cache hit builds no telemetry objects beyond the one span the SDK makes.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Context, type Span, type SpanOptions, type TextMapGetter, type TextMapPropagator, type TextMapSetter, type Tracer,
} from '@opentelemetry/api';
import { ATTR, SPAN } from './names.ts';

export interface RequestTracing {
  /** False when no tracer was injected: callers may skip work that only feeds spans. */
  readonly enabled: boolean;
  /**
   * The SERVER span of one request, continuing the client's trace context when it sent one, and
   * ended when the response closes. null when tracing is off.
   */
  startServerSpan(req: IncomingMessage, res: ServerResponse): Span | null;
  /**
   * A child of `parent`; null when there is no parent or it is not recording (sampled out).
   * `startTime` (a `performance.now()` reading) backdates it, for work timed before it was known to
   * deserve a span.
   */
  startChild(parent: Span | null, name: string, kind?: SpanKind, startTime?: number): Span | null;
  /** Writes the W3C trace context of `span` into outgoing request headers (replacing the client's). */
  inject(span: Span | null, headers: Record<string, string | string[]>): void;
}

/** Known methods name the SERVER span; anything else is "HTTP" (unbounded names make bad span names). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const SERVER: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });
const INTERNAL: SpanOptions = Object.freeze({ kind: SpanKind.INTERNAL });
const CLIENT: SpanOptions = Object.freeze({ kind: SpanKind.CLIENT });

const HEADER_GETTER: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};
const HEADER_SETTER: TextMapSetter<Record<string, string | string[]>> = {
  set: (headers, key, value) => {
    headers[key] = value;
  },
};

export const TRACING_OFF: RequestTracing = Object.freeze({
  enabled: false,
  startServerSpan: () => null,
  startChild: () => null,
  inject: () => {},
});

/**
 * `startsTraces: false` says the root sampler never samples (ratio 0: only traces a caller sampled
 * are recorded). A request without trace context then gets no span at all — not even the
 * sampled-out one whose only use would be to hand the origin a trace nobody records.
 */
export function createRequestTracing(tracer: Tracer, propagator: TextMapPropagator, startsTraces = true): RequestTracing {
  // Fields the propagator reads (traceparent, tracestate, …): when a request has none of them,
  // extraction is skipped and the span starts a new trace from the root context.
  const fields = propagator.fields().map((name) => name.toLowerCase());
  const parentOf = (headers: IncomingHttpHeaders): Context => {
    for (const name of fields) {
      if (headers[name] !== undefined) return propagator.extract(ROOT_CONTEXT, headers, HEADER_GETTER);
    }
    return ROOT_CONTEXT;
  };

  return Object.freeze({
    enabled: true,
    startServerSpan(req: IncomingMessage, res: ServerResponse): Span | null {
      const parent = parentOf(req.headers);
      if (parent === ROOT_CONTEXT && !startsTraces) return null;
      const method = req.method ?? 'GET';
      const known = KNOWN_METHODS.has(method);
      const span = tracer.startSpan(known ? method : SPAN.httpOther, SERVER, parent);
      if (!span.isRecording()) return span;
      span.setAttribute(ATTR.httpRequestMethod, known ? method : '_OTHER');
      if (!known) span.setAttribute(ATTR.httpRequestMethodOriginal, method);
      // Each attribute costs on every recorded request (set, validated, serialized): the ones that
      // never vary here — network.protocol.version is always 1.1 — are left out.
      span.setAttribute(ATTR.urlScheme, 'http');
      const agent = req.headers['user-agent'];
      if (agent !== undefined) span.setAttribute(ATTR.userAgentOriginal, agent);
      // 'close' follows every ending — sent, reset, or the client gone — so no path leaks a span.
      // It is emitted once per response: on() spares the wrapper once() would allocate.
      res.on('close', () => endServerSpan(span, res));
      return span;
    },
    startChild(parent: Span | null, name: string, kind: SpanKind = SpanKind.INTERNAL, startTime?: number): Span | null {
      if (parent === null || !parent.isRecording()) return null;
      const shared = kind === SpanKind.CLIENT ? CLIENT : kind === SpanKind.INTERNAL ? INTERNAL : { kind };
      const options = startTime === undefined ? shared : { ...shared, startTime };
      return tracer.startSpan(name, options, trace.setSpan(ROOT_CONTEXT, parent));
    },
    inject(span: Span | null, headers: Record<string, string | string[]>): void {
      if (span === null) return;
      // A sampled-out span still carries the trace id and the "not sampled" flag downstream, so
      // the origin joins (or skips) the same trace rather than starting its own.
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, HEADER_SETTER);
    },
  });
}

function endServerSpan(span: Span, res: ServerResponse): void {
  if (res.headersSent) {
    span.setAttribute(ATTR.httpResponseStatusCode, res.statusCode);
    // semconv: a server span is an error for 5xx only; 4xx is the client's doing. error.type was
    // set where the cause is known (pipeline-spans.ts: recordResponse, recordFailure).
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  if (!res.writableFinished) {
    // The connection closed before the whole response was written (client gone or reset).
    span.setAttribute(ATTR.errorType, 'response_aborted');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'response not completed' });
  }
  span.end();
}

const NO_TRACE_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

/** `trace_id` / `span_id` fields for a structured log line about this request ({} without a trace). */
export function traceLogFields(span: Span | null): Readonly<Record<string, string>> {
  if (span === null) return NO_TRACE_FIELDS;
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : NO_TRACE_FIELDS;
}
