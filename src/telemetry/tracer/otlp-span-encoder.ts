/**
 * Finished spans as an OTLP ExportTraceServiceRequest in protobuf
 * (opentelemetry-proto, trace/v1/trace.proto and common/v1/common.proto), written straight from
 * the spans into one buffer. It replaces only the SDK's serializer inside the SDK's own OTLP/HTTP
 * exporter (endpoint, headers, TLS, compression, retries stay the SDK's): at sample ratio 1 the
 * serializer was the largest cost left per span once spans themselves were cheap
 * (docs/performance.md, "Tracing"). Field numbers are the proto's; zero values are left out, as
 * proto3 encoders do.
 */
import type { Attributes, AttributeValue, Link, SpanContext } from '@opentelemetry/api';
import { ProtobufTraceSerializer, type IExportTraceServiceResponse, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter } from './proto-writer.ts';

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

/** Span.flags: the W3C trace flags in bits 0–7, and whether the parent's context was remote. */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

export class OtlpSpanEncoder implements ISerializer<ReadableSpan[], IExportTraceServiceResponse> {
  readonly #writer = new ProtoWriter();

  serializeRequest(spans: ReadableSpan[]): Uint8Array {
    const w = this.#writer;
    for (const [resource, scopes] of grouped(spans)) {
      const resourceSpans = w.begin(1);
      const resourceMark = w.begin(1);
      writeAttributes(w, 1, resource.attributes);
      w.end(resourceMark);
      for (const scopeSpans of scopes.values()) writeScopeSpans(w, scopeSpans);
      if (resource.schemaUrl !== undefined && resource.schemaUrl !== '') w.string(3, resource.schemaUrl);
      w.end(resourceSpans);
    }
    return w.finish();
  }

  deserializeResponse(data: Uint8Array): IExportTraceServiceResponse {
    return ProtobufTraceSerializer.deserializeResponse(data);
  }
}

/** Spans by resource, then by instrumentation scope (name, version, schema URL), in arrival order. */
function grouped(spans: readonly ReadableSpan[]): Map<Resource, Map<string, ReadableSpan[]>> {
  const byResource = new Map<Resource, Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, scopes = new Map());
    const scope = span.instrumentationScope;
    const key = `${scope.name}@${scope.version ?? ''}@${scope.schemaUrl ?? ''}`;
    const list = scopes.get(key);
    if (list === undefined) scopes.set(key, [span]);
    else list.push(span);
  }
  return byResource;
}

function writeScopeSpans(w: ProtoWriter, spans: readonly ReadableSpan[]): void {
  const first = spans[0];
  if (first === undefined) return;
  const scopeSpans = w.begin(2);
  writeScope(w, first.instrumentationScope);
  for (const span of spans) writeSpan(w, span);
  const schemaUrl = first.instrumentationScope.schemaUrl;
  if (schemaUrl !== undefined && schemaUrl !== '') w.string(3, schemaUrl);
  w.end(scopeSpans);
}

function writeScope(w: ProtoWriter, scope: Scope): void {
  const mark = w.begin(1);
  w.string(1, scope.name);
  if (scope.version !== undefined && scope.version !== '') w.string(2, scope.version);
  w.end(mark);
}

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
