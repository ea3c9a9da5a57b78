/**
 * The node's OTLP span encoder says what the SDK's protobuf serializer says: the same spans,
 * encoded by both and decoded by the test receiver's own wire-format reader (written from the
 * proto, not from either encoder), give the same trees — ids, names, kinds, times to the
 * nanosecond, every attribute type, events, links, status, flags, trace state, dropped counts,
 * scopes and resources. Lengths over 127 bytes (nested length prefixes that take two or more bytes)
 * and non-ASCII text are in the set on purpose.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, createTraceState, type SpanContext } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { EdgeTracerProvider } from '../../../src/telemetry/tracer/edge-tracer.ts';
import { SpanBatchEncoder } from '../../../src/telemetry/tracer/otlp-span-encoder.ts';
import { spansFromProtobuf } from '../../telemetry/support/otlp-receiver.ts';

const REMOTE: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true,
  traceState: createTraceState('vendor=abc,other=1'),
};

function recordedSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new EdgeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'edgehook', 'host.name': 'node-1', 'process.pid': 4242 }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('edgehook', '0.1.0');
  const server = tracer.startSpan('GET', { kind: SpanKind.SERVER, links: [{ context: REMOTE, attributes: { why: 'batch' } }] }, trace.setSpanContext(ROOT_CONTEXT, REMOTE));
  server.setAttributes({
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    'negative': -42,
    'big': 2 ** 40 + 3,
    'ratio': 0.25,
    'flag': false,
    'edgehook.route.hooks': ['auth', 'geo', 'résumé'],
    'counts': [1, 2, 3],
    'long': 'x'.repeat(300),
    'unicode': 'Grüße, 世界 — ✓',
  });
  const child = tracer.startSpan('hook auth', { kind: SpanKind.INTERNAL }, trace.setSpan(ROOT_CONTEXT, server));
  child.addEvent('log', { message: 'token expired', level: 'warn' });
  child.recordException(new Error('bad signature'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'hook failed' });
  child.end();
  for (let i = 0; i < 3; i++) tracer.startSpan(`filler ${i}`, { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, server)).end();
  server.setStatus({ code: SpanStatusCode.OK });
  server.end();
  // A second scope: spans group under it separately.
  provider.getTracer('edgehook-hooks').startSpan('other scope', {}, ROOT_CONTEXT).end();
  return exporter.getFinishedSpans();
}

function encode(encoder: SpanBatchEncoder, spans: readonly ReadableSpan[]): Uint8Array {
  for (const span of spans) encoder.add(span);
  expect(encoder.count).toBe(spans.length);
  const batch = encoder.take();
  expect(batch.spanCount).toBe(spans.length);
  expect(encoder.count).toBe(0);
  return batch.bytes;
}

describe('the OTLP span encoder', () => {
  it('encodes what the SDK serializer encodes, field for field', () => {
    const spans = recordedSpans();
    const ours = spansFromProtobuf(Buffer.from(encode(new SpanBatchEncoder(), spans)));
    const sdks = spansFromProtobuf(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array()));
    expect(ours).toHaveLength(6);
    expect(ours).toEqual(sdks);
    const server = ours.find((span) => span.name === 'GET');
    expect(server?.attributes['long']).toBe('x'.repeat(300));
    expect(server?.attributes['big']).toBe(2 ** 40 + 3);
    expect(server?.wire?.links[0]?.traceState).toBe('vendor=abc,other=1');
    expect(server?.wire?.flags).toBe(0x301);
    expect(Number(server?.wire?.startTimeUnixNano) / 1e6).toBeCloseTo(Date.now(), -3);
  });

  it('reuses its buffer: a second, larger batch is whole and the first one unchanged', () => {
    const encoder = new SpanBatchEncoder();
    const spans = recordedSpans();
    const first = encode(encoder, spans.slice(0, 1));
    const firstCopy = Buffer.from(first);
    const many = Array.from({ length: 400 }, () => spans).flat();
    const second = encode(encoder, many);
    expect(spansFromProtobuf(Buffer.from(second))).toHaveLength(many.length);
    expect(Buffer.from(first).equals(firstCopy)).toBe(true);
  });
});
