/**
 * Starts the OpenTelemetry SDK for the CLI — the only place edgehook does. NodeSDK supplies what
 * the standard OTEL_* variables configure (resource detection, propagators, samplers, exporter
 * headers and TLS); the exporters, the batch processor, the ratio sampler and the metric reader
 * come from the resolved setup. The node then receives the SDK's providers as a Telemetry
 * object, through the API only. The metric reader collects from one producer the node feeds with
 * the very metric data its admin /metrics serializes (telemetry/metrics-producer.ts), so OTLP and
 * Prometheus carry the same metrics. Imported lazily: with telemetry off the SDK is never loaded.
 */
import { propagation, ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ConsoleSpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler,
  type BatchSpanProcessorOptions, type Sampler, type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { createNodeMetricsProducer, type NodeMetricsProducer } from '../telemetry/metrics-producer.ts';
import { createTelemetry, type Telemetry } from '../telemetry/telemetry.ts';
import type { SignalExport, SpanBatchSettings, TelemetrySetup } from './telemetry-settings.ts';

export interface TelemetrySdk {
  readonly telemetry: Telemetry;
  /** Flushes what is buffered (spans, the last metrics) and stops the exporters. */
  shutdown(): Promise<void>;
}

export function startTelemetrySdk(setup: TelemetrySetup): TelemetrySdk {
  const traces = setup.traces.kind === 'none' ? null : spanExporter(setup.traces);
  const producer = setup.metrics.kind === 'none' ? null : createNodeMetricsProducer();
  const sdk = new NodeSDK({
    ...(setup.serviceName === null ? {} : { serviceName: setup.serviceName }),
    // An empty processor list keeps NodeSDK from starting its default OTLP exporter.
    spanProcessors: traces === null ? [] : [new BatchSpanProcessor({ exporter: traces, ...batchOptions(setup.spanBatch) })],
    ...(setup.sampleRatio === null ? {} : { sampler: new ParentBasedSampler({ root: rootSampler(setup.sampleRatio) }) }),
    metricReaders: setup.metrics.kind === 'none' || producer === null ? [] : [metricReader(setup.metrics, setup.metricsIntervalMs, producer)],
    // edgehook's logs are JSON lines on stderr, not OTLP: no logs pipeline.
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const telemetry = createTelemetry({
    ...(traces === null ? {} : {
      tracing: { tracerProvider: unproxied(trace.getTracerProvider()), propagator: propagation, startsTraces: setup.sampleRatio !== 0 },
    }),
    ...(producer === null ? {} : { metrics: producer }),
  });
  return { telemetry, shutdown: () => sdk.shutdown() };
}

function batchOptions(batch: SpanBatchSettings): Omit<BatchSpanProcessorOptions, 'exporter'> {
  return {
    scheduledDelayMillis: batch.scheduledDelayMs,
    exportTimeoutMillis: batch.exportTimeoutMs,
    maxQueueSize: batch.maxQueueSize,
    maxExportBatchSize: batch.maxExportBatchSize,
  };
}

/** The ratio sampler hashes every trace id; at 0 and 1 the answer is known without it. */
function rootSampler(ratio: number): Sampler {
  if (ratio >= 1) return new AlwaysOnSampler();
  if (ratio <= 0) return new AlwaysOffSampler();
  return new TraceIdRatioBasedSampler(ratio);
}

function spanExporter(signal: Exclude<SignalExport, { kind: 'none' }>): SpanExporter {
  if (signal.kind === 'console') return new ConsoleSpanExporter();
  const options = { url: signal.url };
  switch (signal.protocol) {
    case 'http/protobuf':
      return new OtlpProtoTraceExporter(options);
    case 'http/json':
      return new OtlpJsonTraceExporter(options);
    case 'grpc':
      return new OtlpGrpcTraceExporter(options);
  }
}

function metricReader(signal: Exclude<SignalExport, { kind: 'none' }>, intervalMs: number, producer: NodeMetricsProducer): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter: metricExporter(signal),
    metricProducers: [producer],
    exportIntervalMillis: intervalMs,
    // The SDK refuses a timeout longer than the interval.
    exportTimeoutMillis: Math.min(intervalMs, 30_000),
  });
}

function metricExporter(signal: Exclude<SignalExport, { kind: 'none' }>): PushMetricExporter {
  if (signal.kind === 'console') return new ConsoleMetricExporter();
  const options = { url: signal.url };
  switch (signal.protocol) {
    case 'http/protobuf':
      return new OtlpProtoMetricExporter(options);
    case 'http/json':
      return new OtlpJsonMetricExporter(options);
    case 'grpc':
      return new OtlpGrpcMetricExporter(options);
  }
}

/** The API hands out a proxy provider; the node gets the SDK's own, one indirection fewer per span. */
function unproxied(provider: TracerProvider): TracerProvider {
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}
