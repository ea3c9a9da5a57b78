/**
 * The node's tracer keeps the API's and the SDK's span semantics while doing less per span:
 * sampling and parenting, limits, status rules, events and exceptions, times, what an exporter
 * reads. Spans go through the SDK's own SimpleSpanProcessor and InMemorySpanExporter, and one
 * batch through the SDK's OTLP protobuf serializer, as the CLI's exporter does.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler,
  type ReadableSpan, type Sampler,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { EdgeTracerProvider, spanLimitsFromEnv, DEFAULT_SPAN_LIMITS } from '../../../src/telemetry/tracer/edge-tracer.ts';
import { SpanIdPool } from '../../../src/telemetry/tracer/span-ids.ts';

function setup(sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() }), limits = DEFAULT_SPAN_LIMITS) {
  const exporter = new InMemorySpanExporter();
  const provider = new EdgeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'unit' }),
    sampler,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    limits,
  });
  return { tracer: provider.getTracer('edgehook', '1.2.3'), finished: (): ReadableSpan[] => exporter.getFinishedSpans() };
}

const REMOTE_PARENT: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true,
};

describe('the node tracer', () => {
  it('a root span: fresh 32/16-digit ids, sampled, the scope and resource an exporter reads', () => {
    const { tracer, finished } = setup();
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    span.setAttribute('http.request.method', 'GET');
    span.end();
    const [done] = finished();
    expect(done).toBeDefined();
    expect(done?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(done?.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(done?.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    expect(done?.parentSpanContext).toBeUndefined();
    expect(done?.kind).toBe(SpanKind.SERVER);
    expect(done?.instrumentationScope).toEqual({ name: 'edgehook', version: '1.2.3' });
    expect(done?.resource.attributes['service.name']).toBe('unit');
    expect(done?.attributes).toEqual({ 'http.request.method': 'GET' });
    expect(done?.ended).toBe(true);
  });

  it('a child joins its parent\'s trace; a remote parent\'s trace and sampled flag are followed', () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('GET', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent)) as Span & ReadableSpan;
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    const remote = tracer.startSpan('GET', {}, trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT)) as Span & ReadableSpan;
    expect(remote.spanContext().traceId).toBe(REMOTE_PARENT.traceId);
    expect(remote.parentSpanContext?.isRemote).toBe(true);
    const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, { ...REMOTE_PARENT, traceFlags: TraceFlags.NONE });
    const sampledOut = tracer.startSpan('GET', {}, unsampledParent);
    expect(sampledOut.isRecording()).toBe(false);
    expect(sampledOut.spanContext().traceId).toBe(REMOTE_PARENT.traceId);
  });

  it('a sampled-out span records nothing and reaches no processor, but carries a valid context on', () => {
    const { tracer, finished } = setup(new AlwaysOffSampler());
    const span = tracer.startSpan('GET', {}, ROOT_CONTEXT);
    span.setAttribute('a', 1);
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(span.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(finished()).toEqual([]);
  });

  it('a ratio sampler sees the trace id the span gets', () => {
    const { tracer, finished } = setup(new TraceIdRatioBasedSampler(0.5));
    for (let i = 0; i < 400; i++) tracer.startSpan('GET', {}, ROOT_CONTEXT).end();
    expect(finished().length).toBeGreaterThan(120);
    expect(finished().length).toBeLessThan(280);
  });

  it('attributes: invalid values ignored, arrays copied, the count and length limits applied', () => {
    const { tracer, finished } = setup(undefined, { ...DEFAULT_SPAN_LIMITS, attributeCountLimit: 3, attributeValueLengthLimit: 4 });
    const list = ['abcdef', 'x'];
    const span = tracer.startSpan('s', {}, ROOT_CONTEXT);
    span.setAttribute('long', 'abcdefgh');
    span.setAttribute('list', list);
    span.setAttribute('mixed', ['a', 1] as unknown as string[]);
    span.setAttribute('', 'no key');
    span.setAttribute('n', 1.5);
    span.setAttribute('over', true);
    span.setAttribute('n', 2);
    list.push('later');
    span.end();
    const [done] = finished();
    expect(done?.attributes).toEqual({ long: 'abcd', list: ['abcd', 'x'], n: 2 });
    expect(done?.droppedAttributesCount).toBe(1);
  });

  it('status: UNSET changes nothing, OK is final, a message only with ERROR', () => {
    const { tracer } = setup();
    const failed = tracer.startSpan('s', {}, ROOT_CONTEXT) as Span & ReadableSpan;
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    failed.setStatus({ code: SpanStatusCode.UNSET });
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    const ok = tracer.startSpan('s', {}, ROOT_CONTEXT) as Span & ReadableSpan;
    ok.setStatus({ code: SpanStatusCode.OK, message: 'ignored' });
    ok.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
    expect(ok.status).toEqual({ code: SpanStatusCode.OK });
  });

  it('events and exceptions, the oldest event dropped past the limit', () => {
    const { tracer, finished } = setup(undefined, { ...DEFAULT_SPAN_LIMITS, eventCountLimit: 2 });
    const span = tracer.startSpan('s', {}, ROOT_CONTEXT);
    span.addEvent('first');
    span.addEvent('log', { message: 'hello' });
    span.recordException(new TypeError('bad input'));
    span.end();
    const [done] = finished();
    expect(done?.events.map((event) => event.name)).toEqual(['log', 'exception']);
    expect(done?.droppedEventsCount).toBe(1);
    expect(done?.events[1]?.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
    expect(done?.events[1]?.attributes?.['exception.stacktrace']).toContain('edge-tracer.test.ts');
  });

  it('times: wall-clock start, monotonic duration, a backdated start from a performance.now() reading', async () => {
    const { tracer, finished } = setup();
    const before = Date.now();
    const timedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const span = tracer.startSpan('s', { startTime: timedAt }, ROOT_CONTEXT);
    span.end();
    const [done] = finished();
    const startMs = (done?.startTime[0] ?? 0) * 1000 + (done?.startTime[1] ?? 0) / 1e6;
    const durationMs = (done?.duration[0] ?? 0) * 1000 + (done?.duration[1] ?? 0) / 1e6;
    expect(Math.abs(startMs - before)).toBeLessThan(5);
    expect(durationMs).toBeGreaterThanOrEqual(18);
    expect(done?.startTime[1]).toBeLessThan(1e9);
  });

  it('an ended span ignores every later call', () => {
    const { tracer, finished } = setup();
    const span = tracer.startSpan('s', {}, ROOT_CONTEXT);
    span.end();
    span.setAttribute('late', 1).addEvent('late').updateName('renamed').setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(finished()).toHaveLength(1);
    expect(finished()[0]).toMatchObject({ name: 's', attributes: {}, events: [], status: { code: SpanStatusCode.UNSET } });
  });

  it('startActiveSpan hands the callback a span under the given context, and returns what it returns', () => {
    const { tracer } = setup();
    const parentId = tracer.startActiveSpan('outer', {}, trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT), (span) => {
      span.end();
      return (span as Span & ReadableSpan).parentSpanContext?.spanId;
    });
    expect(parentId).toBe(REMOTE_PARENT.spanId);
  });

  it('its spans serialize with the SDK\'s OTLP protobuf serializer', () => {
    const { tracer, finished } = setup();
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, links: [{ context: REMOTE_PARENT }] }, ROOT_CONTEXT);
    span.setAttribute('edgehook.cache.status', 'edgehook; hit');
    span.addEvent('log', { message: 'x' });
    span.end();
    const body = ProtobufTraceSerializer.serializeRequest(finished());
    expect(body?.byteLength).toBeGreaterThan(100);
    expect(Buffer.from(body ?? new Uint8Array()).includes(Buffer.from(span.spanContext().traceId, 'hex'))).toBe(true);
  });
});

describe('span limits from the environment', () => {
  it('reads the SDK variables, the span-specific one first; malformed values keep the default', () => {
    expect(spanLimitsFromEnv({ OTEL_ATTRIBUTE_COUNT_LIMIT: '10', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '20', OTEL_SPAN_EVENT_COUNT_LIMIT: 'many' }))
      .toMatchObject({ attributeCountLimit: 20, eventCountLimit: 128, attributeValueLengthLimit: Infinity });
  });
});

describe('span ids', () => {
  it('are distinct hex of the right length, across pool refills', () => {
    const ids = new SpanIdPool();
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const traceId = ids.traceId();
      const spanId = ids.spanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId);
    }
    expect(seen.size).toBe(3000);
  });
});
