/**
 * Finished spans as an OTLP ExportTraceServiceRequest in protobuf
 * (opentelemetry-proto, trace/v1/trace.proto and common/v1/common.proto), each span written
 * straight into its batch's buffer as it ends. It stands in for the SDK's serializer (~2.4 µs a
 * span against ~1 µs here: docs/performance.md, "Tracing, third round"). Field numbers are the
 * proto's; zero values are left out, as proto3 encoders do.
 */
import type { Attributes, AttributeValue, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter } from './proto-writer.ts';

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

/** Span.flags: the W3C trace flags in bits 0–7, and whether the parent's context was remote. */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

/** An ExportTraceServiceRequest ready to send, and how many spans it holds. */
export interface EncodedSpanBatch {
  readonly bytes: Uint8Array;
  readonly spanCount: number;
}

interface ScopeGroup {
  readonly scope: Scope;
  readonly spans: ProtoWriter;
}

/**
 * Spans encoded one by one as they are added — a span object is garbage as soon as it is encoded,
 * instead of living in a queue until its batch is sent — grouped by resource and instrumentation
 * scope, and wrapped into one request by `take()`.
 */
export class SpanBatchEncoder {
  #groups = new Map<Resource, Map<string, ScopeGroup>>();
  readonly #request = new ProtoWriter();
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** The resources of the spans added since the last take (to wait for their async attributes). */
  resources(): Iterable<Resource> {
    return this.#groups.keys();
  }

  add(span: ReadableSpan): void {
    let scopes = this.#groups.get(span.resource);
    if (scopes === undefined) this.#groups.set(span.resource, scopes = new Map());
    const scope = span.instrumentationScope;
    const key = `${scope.name}@${scope.version ?? ''}@${scope.schemaUrl ?? ''}`;
    let group = scopes.get(key);
    if (group === undefined) scopes.set(key, group = { scope, spans: new ProtoWriter(16 * 1024) });
    writeSpan(group.spans, span);
    this.#count++;
  }

  /** The request for every span added since the last take; the encoder is then empty. */
  take(): EncodedSpanBatch {
    const w = this.#request;
    for (const [resource, scopes] of this.#groups) {
      const resourceSpans = w.begin(1);
      const resourceMark = w.begin(1);
      writeAttributes(w, 1, resource.attributes);
      w.end(resourceMark);
      for (const { scope, spans } of scopes.values()) {
        const scopeSpans = w.begin(2);
        writeScope(w, scope);
        w.raw(spans.view());
        if (scope.schemaUrl !== undefined && scope.schemaUrl !== '') w.string(3, scope.schemaUrl);
        w.end(scopeSpans);
      }
      if (resource.schemaUrl !== undefined && resource.schemaUrl !== '') w.string(3, resource.schemaUrl);
      w.end(resourceSpans);
    }
    const batch = { bytes: w.finish(), spanCount: this.#count };
    this.#groups = new Map();
    this.#count = 0;
    return batch;
  }
}

function writeScope(w: ProtoWriter, scope: Scope): void {
  const mark = w.begin(1);
  w.string(1, scope.name);
  if (scope.version !== undefined && scope.version !== '') w.string(2, scope.version);
  w.end(mark);
}

/** One Span message, as field 2 of ScopeSpans. */
function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const mark = w.begin(2);
  const context = span.spanContext();
  w.hexBytes(1, context.traceId);
  w.hexBytes(2, context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState !== undefined && traceState !== '') w.string(3, traceState);
  const parent = span.parentSpanContext;
  if (parent !== undefined && parent.spanId !== '') w.hexBytes(4, parent.spanId);
  w.string(5, span.name);
  w.uint32(6, span.kind + 1);
  const [startSeconds, startNanos] = span.startTime;
  const [endSeconds, endNanos] = span.endTime;
  w.fixed64Time(7, startSeconds, startNanos);
  w.fixed64Time(8, endSeconds, endNanos);
  writeAttributes(w, 9, span.attributes);
  if (span.droppedAttributesCount > 0) w.uint32(10, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(w, event);
  if (span.droppedEventsCount > 0) w.uint32(12, span.droppedEventsCount);
  for (const link of span.links) writeLink(w, link);
  if (span.droppedLinksCount > 0) w.uint32(14, span.droppedLinksCount);
  const status = w.begin(15);
  if (span.status.message !== undefined && span.status.message !== '') w.string(2, span.status.message);
  if (span.status.code !== 0) w.uint32(3, span.status.code);
  w.end(status);
  w.fixed32(16, flags(context.traceFlags, parent));
  w.end(mark);
}

function flags(traceFlags: number, parent: SpanContext | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (parent?.isRemote === true ? FLAGS_IS_REMOTE : 0);
}

function writeEvent(w: ProtoWriter, event: TimedEvent): void {
  const mark = w.begin(11);
  w.fixed64Time(1, event.time[0], event.time[1]);
  w.string(2, event.name);
  if (event.attributes !== undefined) writeAttributes(w, 3, event.attributes);
  if (event.droppedAttributesCount !== undefined && event.droppedAttributesCount > 0) w.uint32(4, event.droppedAttributesCount);
  w.end(mark);
}

function writeLink(w: ProtoWriter, link: Link): void {
  const mark = w.begin(13);
  w.hexBytes(1, link.context.traceId);
  w.hexBytes(2, link.context.spanId);
  const traceState = link.context.traceState?.serialize();
  if (traceState !== undefined && traceState !== '') w.string(3, traceState);
  if (link.attributes !== undefined) writeAttributes(w, 4, link.attributes);
  if (link.droppedAttributesCount !== undefined && link.droppedAttributesCount > 0) w.uint32(5, link.droppedAttributesCount);
  w.fixed32(6, (link.context.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (link.context.isRemote === true ? FLAGS_IS_REMOTE : 0));
  w.end(mark);
}

/** Repeated KeyValue under `field`; undefined and null values are left out, as the SDK's serializer does. */
function writeAttributes(w: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const pair = w.begin(field);
    w.string(1, key);
    const any = w.begin(2);
    writeAnyValue(w, value);
    w.end(any);
    w.end(pair);
  }
}

/** The inside of an AnyValue: string 1, bool 2, int 3, double 4, array 5. */
function writeAnyValue(w: ProtoWriter, value: AttributeValue | null | undefined): void {
  switch (typeof value) {
    case 'string':
      w.string(1, value);
      return;
    case 'boolean':
      w.bool(2, value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) w.int64(3, value);
      else w.double(4, value);
      return;
    case 'object':
      if (Array.isArray(value)) {
        const array = w.begin(5);
        for (const element of value as ReadonlyArray<string | number | boolean | null | undefined>) {
          const item = w.begin(1);
          writeAnyValue(w, element);
          w.end(item);
        }
        w.end(array);
      }
      return;
    default:
      // An empty AnyValue (a null array element): no field at all.
      return;
  }
}
