/**
 * Micro-benchmark of what telemetry adds to one cache hit, in ns per operation: the metric
 * recording choices (hand-rolled slots vs OpenTelemetry SDK instruments), one span's own cost and
 * its OTLP encoding (the SDK's tracer and serializer against the node's), and the request-path
 * tracing calls a hit makes (SERVER span + lookup, target and response attributes + end),
 * with tracing off, sampled out (ratio 0 and 0.01) and recorded (ratio 1, batch processor and the
 * OTLP/HTTP protobuf exporter sending to a local receiver that drops) — through the SDK's tracer,
 * processor and exporter, and through what the CLI runs (src/telemetry/tracer/: the node's tracer,
 * spans encoded as they end, the SDK's exporter machinery), side by side. Not a test; run with
 * `node bench/telemetry-bench.ts`. The numbers chose the design in src/telemetry (see
 * proxy-metrics.ts and request-tracing.ts). In a loaded server a recorded hit costs several times
 * what it costs here (colder caches, and spans waiting in the export queue get copied by the
 * young-generation GC): `node bench/run.ts --group tracing` measures that.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNoopMeter, ROOT_CONTEXT, SpanKind, type Attributes, type MeterProvider as ApiMeterProvider, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider,
  type ReadableSpan, type Sampler, type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { SPAN_BATCH_DEFAULTS } from '../src/cli/telemetry-settings.ts';
import { recordLookup, recordRequestTarget, recordResponse } from '../src/telemetry/pipeline-spans.ts';
import { createProxyMetrics } from '../src/telemetry/proxy-metrics.ts';
import { createRequestTracing, TRACING_OFF, type RequestTracing } from '../src/telemetry/request-tracing.ts';
import { EdgeTracerProvider } from '../src/telemetry/tracer/edge-tracer.ts';
import { EncodingSpanProcessor } from '../src/telemetry/tracer/encoding-span-processor.ts';
import { OtlpProtoSpanExporter } from '../src/telemetry/tracer/otlp-proto-span-exporter.ts';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SpanBatchEncoder } from '../src/telemetry/tracer/otlp-span-encoder.ts';

const TARGET_MS = 400;

/** Calls `fn` in batches until TARGET_MS has passed; returns ns per call. */
function measure(fn: () => void): number {
  for (let i = 0; i < 20_000; i++) fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(TARGET_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) fn();
    calls += 1000;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls;
}

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

function metricCosts(): Array<[string, number]> {
  const proxy = createProxyMetrics();
  const sdkMeter = (new MeterProvider({ readers: [new PullReader()] }) as ApiMeterProvider).getMeter('bench');
  const sdkCounter = sdkMeter.createCounter('c');
  const sdkHistogram = sdkMeter.createHistogram('h');
  const noopHistogram = createNoopMeter().createHistogram('h');
  const attributes: Attributes = Object.freeze({ cache: 'hit', status_class: '2xx' });
  return [
    ['hand-rolled countResponse (the request path)', measure(() => proxy.countResponse('hit', 200, 1024))],
    ['SDK counter.add, 2 attributes (frozen object)', measure(() => sdkCounter.add(1, attributes))],
    ['SDK histogram.record, 2 attributes', measure(() => sdkHistogram.record(0.012, attributes))],
    ['no-op meter histogram.record (no metrics SDK)', measure(() => noopHistogram.record(0.012, attributes))],
  ];
}

/** A local no-op OTLP/HTTP receiver, so recorded spans pay for serialization and sending too. */
async function startSink(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, close: () => server.close() };
}

interface BenchTracing {
  readonly tracing: RequestTracing;
  flush(): Promise<void>;
  /** Spans the processor dropped (a per-hit figure that dropped spans would flatter). */
  dropped(): number;
}

function sdkTracing(root: Sampler, sinkUrl: string): BenchTracing {
  const processor = new BatchSpanProcessor({
    exporter: new OTLPTraceExporter({ url: sinkUrl }),
    maxExportBatchSize: SPAN_BATCH_DEFAULTS.maxExportBatchSize,
    scheduledDelayMillis: SPAN_BATCH_DEFAULTS.scheduledDelayMs,
  });
  const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root }), spanProcessors: [processor] });
  return {
    tracing: createRequestTracing(provider.getTracer('bench'), new W3CTraceContextPropagator()),
    flush: () => provider.forceFlush(),
    // The SDK keeps the count in a field of its own (no accessor); read here for the bench only.
    dropped: () => (processor as unknown as { _droppedSpansCount: number })._droppedSpansCount,
  };
}

function nodeTracing(root: Sampler, sinkUrl: string): BenchTracing {
  const processor = new EncodingSpanProcessor(new OtlpProtoSpanExporter({ url: sinkUrl }), SPAN_BATCH_DEFAULTS);
  const provider = new EdgeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    sampler: new ParentBasedSampler({ root }),
    spanProcessors: [processor],
  });
  return {
    tracing: createRequestTracing(provider.getTracer('bench'), new W3CTraceContextPropagator()),
    flush: () => provider.forceFlush(),
    dropped: () => processor.droppedSpans,
  };
}

const MEMORY_LOOKUP = Object.freeze({ startedMs: 0, endedMs: 0, readDisk: false });

/** What one cache hit asks of tracing, with stand-ins for Node's request and response. */
function hitPath(tracing: RequestTracing): () => void {
  const req = {
    method: 'GET', httpVersion: '1.1', headers: { host: '127.0.0.1:8080', 'user-agent': 'bench' },
    socket: { remoteAddress: '127.0.0.1', remotePort: 40_000 },
  } as unknown as IncomingMessage;
  return () => {
    const res = fakeResponse();
    const span = tracing.startServerSpan(req, res);
    recordRequestTarget(span, { authority: '127.0.0.1:8080', path: '/hit/1k' }, '127.0.0.1', '127.0.0.1', undefined);
    recordLookup(tracing, span, 'hit', MEMORY_LOOKUP);
    recordResponse(span, 'hit', 200, 'edgehook; hit; ttl=60');
    res.emit('close');
  };
}

function fakeResponse(): ServerResponse {
  return Object.assign(new EventEmitter(), { headersSent: true, statusCode: 200, writableFinished: true }) as unknown as ServerResponse;
}

/**
 * CPU ns per hit, export included: hits paced at about 20 000 a second (20 per millisecond
 * timer tick, as a busy node's requests arrive, so the exporter runs between them as it does in
 * a server — an unpaced loop would only measure how fast spans can be dropped), then a flush.
 * CPU time, not wall time: the pacing sleeps are not the hits' cost.
 */
async function perHit(run: () => void, flush: () => Promise<void>): Promise<number> {
  const ticks = 2000;
  const perTick = 20;
  // Warm-up below the span queue's bound (2048), so nothing is dropped before measuring.
  for (let i = 0; i < 1500; i++) run();
  await flush();
  const before = process.cpuUsage();
  for (let tick = 0; tick < ticks; tick++) {
    for (let i = 0; i < perTick; i++) run();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await flush();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / (ticks * perTick);
}

async function tracingCosts(): Promise<Array<[string, number]>> {
  const sink = await startSink();
  const none = async (): Promise<void> => {};
  const baseline = await perHit(() => void fakeResponse().emit('close'), none);
  // Differences below the baseline's own jitter read as 0.
  const rows: Array<[string, number]> = [['hit-path tracing, off', Math.max(0, (await perHit(hitPath(TRACING_OFF), none)) - baseline)]];
  for (const [label, root] of [['sampled out (ratio 0)', new TraceIdRatioBasedSampler(0)], ['ratio 0.01', new TraceIdRatioBasedSampler(0.01)],
    ['recorded (ratio 1), OTLP/HTTP export', new AlwaysOnSampler()]] as const) {
    for (const [pipeline, make] of [['SDK', sdkTracing], ['node', nodeTracing]] as const) {
      const { tracing, flush, dropped } = make(root, sink.url);
      const ns = (await perHit(hitPath(tracing), flush)) - baseline;
      rows.push([`hit-path tracing, ${label}, ${pipeline}${dropped() > 0 ? ` (${dropped()} spans dropped)` : ''}`, ns]);
    }
  }
  sink.close();
  return rows;
}

/** One SERVER span as a hit fills it: started, six attributes, ended. */
function fillSpan(tracer: Tracer): void {
  const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  span.setAttribute('http.request.method', 'GET');
  span.setAttribute('url.scheme', 'http');
  span.setAttribute('user_agent.original', 'wrk');
  span.setAttribute('url.path', '/hit/1k');
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('edgehook.cache.status', 'edgehook; hit');
  span.end();
}

/** A span's own cost (tracer, span object, attributes; a processor that keeps the last 512) and its encoding, SDK against node. */
function spanCosts(): Array<[string, number]> {
  const kept: ReadableSpan[] = [];
  const keep: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => { if (kept.push(span) > 512) kept.shift(); },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const sampler = new AlwaysOnSampler();
  const resource = resourceFromAttributes({ 'service.name': 'bench' });
  const sdk = new TracerProvider({ sampler, spanProcessors: [keep], resource }).getTracer('bench');
  const node = new EdgeTracerProvider({ sampler, spanProcessors: [keep], resource }).getTracer('bench');
  const rows: Array<[string, number]> = [
    ['span start, 6 attributes, end: SDK tracer', measure(() => fillSpan(sdk))],
    ['span start, 6 attributes, end: node tracer', measure(() => fillSpan(node))],
  ];
  const batch = kept.slice();
  const encoder = new SpanBatchEncoder();
  rows.push(['OTLP protobuf, per span: SDK serializer', measure(() => void ProtobufTraceSerializer.serializeRequest(batch)) / batch.length]);
  rows.push(['OTLP protobuf, per span: node encoder', measure(() => {
    for (const span of batch) encoder.add(span);
    encoder.take();
  }) / batch.length]);
  return rows;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; ns per operation (lower is better)`);
  for (const [label, ns] of [...metricCosts(), ...spanCosts(), ...(await tracingCosts())]) console.log(`  ${label.padEnd(60)} ${ns.toFixed(0).padStart(7)} ns`);
  process.exit(0);
}

await main();
