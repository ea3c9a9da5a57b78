/**
 * An in-memory trace pipeline for tests: the node's own tracer provider (what the CLI runs)
 * exporting to the SDK's InMemorySpanExporter through a SimpleSpanProcessor (each span exported
 * as it ends), W3C propagation, a metric reader collecting from the node's metrics producer as the
 * CLI's OTLP reader does, and the Telemetry object a node is built with. Nothing global is
 * registered.
 */
import type { TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor,
  type ReadableSpan, type Sampler,
} from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { EdgeTracerProvider } from '../../../src/telemetry/tracer/edge-tracer.ts';
import { createNodeMetricsProducer } from '../../../src/telemetry/metrics-producer.ts';
import { createTelemetry, type Telemetry } from '../../../src/telemetry/telemetry.ts';

export interface TracingHarness {
  readonly telemetry: Telemetry;
  readonly provider: ApiTracerProvider;
  /** Collects metrics on demand (a pull reader, as a Prometheus scrape would). */
  readonly metricReader: MetricReader;
  spans(): ReadableSpan[];
  /** Resolves with the finished spans once `done` holds for them (polls; fails after 3 s). */
  waitFor(done: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]>;
  reset(): void;
  shutdown(): Promise<void>;
}

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/**
 * `root` samples traces that start here; a remote parent's sampled flag is followed.
 * `startsTraces: false` is what the CLI passes at sample ratio 0.
 */
export function createTracingHarness(root: Sampler = new AlwaysOnSampler(), options: { startsTraces?: boolean } = {}): TracingHarness {
  const exporter = new InMemorySpanExporter();
  const provider = new EdgeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'edgehook-test' }),
    sampler: new ParentBasedSampler({ root }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const producer = createNodeMetricsProducer();
  const metricReader = new PullReader({ metricProducers: [producer] });
  const meterProvider = new MeterProvider({ readers: [metricReader] });
  const tracing = { tracerProvider: provider, propagator: new W3CTraceContextPropagator(), startsTraces: options.startsTraces ?? true };
  const telemetry = createTelemetry({ tracing, metrics: producer });
  return {
    telemetry,
    provider,
    metricReader,
    spans: () => exporter.getFinishedSpans(),
    waitFor: async (done) => {
      const deadline = Date.now() + 3000;
      for (;;) {
        const spans = exporter.getFinishedSpans();
        if (done(spans)) return spans;
        if (Date.now() > deadline) throw new Error(`spans never matched; got: ${spans.map((s) => s.name).join(', ') || 'none'}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

export const spanId = (span: ReadableSpan): string => span.spanContext().spanId;
export const traceId = (span: ReadableSpan): string => span.spanContext().traceId;
export const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/** The one span named `name` (fails loudly when there are none or several). */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one "${name}" span, got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** Names of the children of `parent`, sorted (order of ending is not part of the contract). */
export function childNames(spans: readonly ReadableSpan[], parent: ReadableSpan): string[] {
  return spans.filter((s) => parentId(s) === spanId(parent)).map((s) => s.name).sort();
}

