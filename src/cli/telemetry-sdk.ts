/**
 * Starts the OpenTelemetry SDK for the CLI — the only place edgehook does. NodeSDK supplies what
 * the standard OTEL_* variables configure for metrics and propagation; the exporters' machinery
 * (headers, TLS, compression, retries) and the samplers are the SDK's too. Spans are made by the
 * node's own tracer (src/telemetry/tracer/: ~2.5× cheaper per span than the SDK's, on a path where
 * a hit is ~40 µs) and, for OTLP/HTTP protobuf, encoded as they end (encoding-span-processor.ts);
 * other exporters take them through the SDK's batch processor. Both signals carry one resource,
 * detected here once as NodeSDK would. The metric reader collects from one producer the
 * node feeds with the very metric data its admin /metrics serializes (telemetry/metrics-producer.ts),
 * so OTLP and Prometheus carry the same metrics. The node receives the providers as a Telemetry
 * object, through the API only. Imported lazily: with telemetry off the SDK is never loaded.
 */
import { propagation } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ConsoleSpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler,
  type BatchSpanProcessorOptions, type Sampler, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Logger } from '../log.ts';
import { createNodeMetricsProducer, type NodeMetricsProducer } from '../telemetry/metrics-producer.ts';
import { createTelemetry, type Telemetry } from '../telemetry/telemetry.ts';
import { EdgeTracerProvider, spanLimitsFromEnv } from '../telemetry/tracer/edge-tracer.ts';
import { EncodingSpanProcessor } from '../telemetry/tracer/encoding-span-processor.ts';
import { OtlpProtoSpanExporter } from '../telemetry/tracer/otlp-proto-span-exporter.ts';
import { detectNodeResource } from './telemetry-resource.ts';
import type { Env, SignalExport, SpanBatchSettings, TelemetrySetup } from './telemetry-settings.ts';

export interface TelemetrySdk {
  readonly telemetry: Telemetry;
  /** Flushes what is buffered (spans, the last metrics) and stops the exporters. */
  shutdown(): Promise<void>;
}

export function startTelemetrySdk(setup: TelemetrySetup, logger: Logger, env: Env = process.env): TelemetrySdk {
  const resource = detectNodeResource(env, setup.serviceName);
  const producer = setup.metrics.kind === 'none' ? null : createNodeMetricsProducer();
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    // An empty processor list keeps NodeSDK from starting a tracer provider and its default exporter.
    spanProcessors: [],
    metricReaders: setup.metrics.kind === 'none' || producer === null ? [] : [metricReader(setup.metrics, setup.metricsIntervalMs, producer)],
    // edgehook's logs are JSON lines on stderr, not OTLP: no logs pipeline.
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const tracerProvider = setup.traces.kind === 'none' ? null : new EdgeTracerProvider({
    resource,
    sampler: setup.sampleRatio === null ? samplerFromEnv(env) : new ParentBasedSampler({ root: rootSampler(setup.sampleRatio) }),
    spanProcessors: [spanProcessor(setup.traces, setup.spanBatch, logger)],
    limits: spanLimitsFromEnv(env),
  });
  const telemetry = createTelemetry({
    ...(tracerProvider === null ? {} : {
      tracing: { tracerProvider, propagator: propagation, startsTraces: setup.sampleRatio !== 0 },
    }),
    ...(producer === null ? {} : { metrics: producer }),
  });
  return {
    telemetry,
    shutdown: () => Promise.all([sdk.shutdown(), tracerProvider?.shutdown()]).then(() => undefined),
  };
}

function batchOptions(batch: SpanBatchSettings): Omit<BatchSpanProcessorOptions, 'exporter'> {
  return {
    scheduledDelayMillis: batch.scheduledDelayMs,
    exportTimeoutMillis: batch.exportTimeoutMs,
    maxQueueSize: batch.maxQueueSize,
    maxExportBatchSize: batch.maxExportBatchSize,
  };
}

/**
 * OTEL_TRACES_SAMPLER, as NodeSDK reads it (telemetry-settings.ts has refused unknown names and a
 * bad ratio); a sampler the SDK does not build here (jaeger_remote, xray) falls back to its
 * default, parent-based always-on, as NodeSDK does.
 */
function samplerFromEnv(env: Env): Sampler {
  const ratio = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? '1');
  switch (env['OTEL_TRACES_SAMPLER']) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** The ratio sampler hashes every trace id; at 0 and 1 the answer is known without it. */
function rootSampler(ratio: number): Sampler {
  if (ratio >= 1) return new AlwaysOnSampler();
  if (ratio <= 0) return new AlwaysOffSampler();
  return new TraceIdRatioBasedSampler(ratio);
}

/**
 * OTLP/HTTP protobuf, the default, encodes each span as it ends and batches bytes
 * (src/telemetry/tracer/encoding-span-processor.ts); the other exporters take span objects
 * through the SDK's batch processor.
 */
function spanProcessor(signal: Exclude<SignalExport, { kind: 'none' }>, batch: SpanBatchSettings, logger: Logger): SpanProcessor {
  if (signal.kind === 'otlp' && signal.protocol === 'http/protobuf') {
    return new EncodingSpanProcessor(new OtlpProtoSpanExporter({ url: signal.url }), {
      ...batch,
      onLoss: ({ error, failedExports, spansLost }) => logger.warn('spans lost', { spans: spansLost, failed_exports: failedExports, ...(error === undefined ? { reason: 'queue full' } : { error }) }),
    });
  }
  return new BatchSpanProcessor({ exporter: spanExporter(signal), ...batchOptions(batch) });
}

function spanExporter(signal: Exclude<SignalExport, { kind: 'none' }>): SpanExporter {
  if (signal.kind === 'console') return new ConsoleSpanExporter();
  const options = { url: signal.url };
  return signal.protocol === 'grpc' ? new OtlpGrpcTraceExporter(options) : new OtlpJsonTraceExporter(options);
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
