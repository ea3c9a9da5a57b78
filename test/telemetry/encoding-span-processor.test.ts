/**
 * The span processor the CLI uses for OTLP/HTTP protobuf: spans encoded as they end and sent in
 * batches to a real OTLP receiver (test/telemetry/support/otlp-receiver.ts decodes the wire
 * format itself), by size and by time; unsampled spans never sent; exports that fail or fall
 * behind reported as losses; shutdown sends what is left.
 */
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { EncodingSpanProcessor, type EncodingSpanProcessorOptions, type SpanLoss } from '../../src/telemetry/tracer/encoding-span-processor.ts';
import { EdgeTracerProvider } from '../../src/telemetry/tracer/edge-tracer.ts';
import { OtlpProtoSpanExporter } from '../../src/telemetry/tracer/otlp-proto-span-exporter.ts';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.ts';

const BATCH: EncodingSpanProcessorOptions = { scheduledDelayMs: 60_000, exportTimeoutMs: 5000, maxQueueSize: 2048, maxExportBatchSize: 4 };
let receiver: OtlpReceiver | undefined;
afterEach(async () => { await receiver?.close(); receiver = undefined; });

function pipeline(url: string, options: Partial<EncodingSpanProcessorOptions> = {}) {
  const losses: SpanLoss[] = [];
  const processor = new EncodingSpanProcessor(new OtlpProtoSpanExporter({ url: `${url}/v1/traces`, timeoutMillis: 2000 }), {
    ...BATCH, ...options, onLoss: (loss) => losses.push(loss),
  });
  const provider = new EdgeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'processor-test' }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('edgehook', '0.1.0');
  const spans = (count: number, prefix = 's'): void => {
    for (let i = 0; i < count; i++) tracer.startSpan(`${prefix}${i}`, { kind: SpanKind.SERVER }, ROOT_CONTEXT).end();
  };
  return { processor, provider, tracer, spans, losses };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the encoding span processor', () => {
  it('sends a batch as soon as it is full, the rest when flushed', async () => {
    receiver = await startOtlpReceiver();
    const { processor, spans } = pipeline(receiver.url);
    spans(6);
    await until(() => receiver!.spans.length === 4, 'the first batch');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toEqual({ path: '/v1/traces', contentType: 'application/x-protobuf' });
    await processor.forceFlush();
    expect(receiver.spans.map((span) => span.name)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(receiver.spans[0]).toMatchObject({ kind: 2, scope: 'edgehook', resource: { 'service.name': 'processor-test' } });
  });

  it('sends a part batch after scheduledDelayMs', async () => {
    receiver = await startOtlpReceiver();
    const { spans } = pipeline(receiver.url, { scheduledDelayMs: 50 });
    spans(2);
    await until(() => receiver!.spans.length === 2, 'the timed batch');
    expect(receiver.requests).toHaveLength(1);
  });

  it('never sends an unsampled span', async () => {
    receiver = await startOtlpReceiver();
    const { processor, tracer } = pipeline(receiver.url);
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true,
    });
    tracer.startSpan('unsampled', {}, unsampled).end();
    tracer.startSpan('sampled', {}, ROOT_CONTEXT).end();
    await processor.forceFlush();
    expect(receiver.spans.map((span) => span.name)).toEqual(['sampled']);
  });

  it('reports failed exports at most once per interval, and what is left at shutdown', async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const { processor, provider, spans, losses } = pipeline(url);
    spans(8);
    await processor.forceFlush();
    expect(losses).toHaveLength(1);
    expect(losses[0]).toMatchObject({ failedExports: 1, spansLost: 4 });
    expect(losses[0]?.error).toMatch(/ECONNREFUSED|connect/);
    await provider.shutdown();
    expect(losses).toHaveLength(2);
    expect(losses[1]).toMatchObject({ failedExports: 1, spansLost: 4 });
  });

  it('drops spans past maxQueueSize while exports are outstanding', async () => {
    receiver = await startOtlpReceiver();
    const { processor, spans, losses } = pipeline(receiver.url, { maxQueueSize: 8 });
    spans(20);
    expect(processor.droppedSpans).toBe(12);
    expect(losses[0]).toMatchObject({ spansLost: 1, failedExports: 0, error: undefined });
    await processor.forceFlush();
    expect(receiver.spans).toHaveLength(8);
  });

  it('shutdown sends what is left and then takes nothing more', async () => {
    receiver = await startOtlpReceiver();
    const { provider, spans } = pipeline(receiver.url);
    spans(3);
    await provider.shutdown();
    expect(receiver.spans).toHaveLength(3);
    spans(5, 'late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.spans).toHaveLength(3);
  });
});
