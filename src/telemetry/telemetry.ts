/**
 * The telemetry handles a node (and its hook runtime) is built with: request-path tracing, where
 * its metrics are pushed, and the per-hook metrics. Built once from OpenTelemetry API providers —
 * the CLI passes the SDK's (src/cli/telemetry-sdk.ts), tests pass in-memory ones, and with none at
 * all everything is off and free. Never looked up per request, never global.
 */
import type { TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import { createHookMetrics, type HookMetrics } from './hook-metrics.ts';
import { METRICS_NOT_EXPORTED, type MetricsExport } from './metrics-producer.ts';
import { INSTRUMENTATION_SCOPE } from './names.ts';
import { createRequestTracing, TRACING_OFF, type RequestTracing } from './request-tracing.ts';

export interface TracingProviders {
  readonly tracerProvider: TracerProvider;
  /** Reads and writes trace context (W3C traceparent). */
  readonly propagator: TextMapPropagator;
  /** False when the root sampler never samples (ratio 0): untraced requests then cost nothing. */
  readonly startsTraces?: boolean;
}

export interface TelemetryProviders {
  /** Absent = tracing off. */
  readonly tracing?: TracingProviders;
  /** Where the node's metrics are pushed (an OTLP reader's producer); absent = not pushed (/metrics still serves them). */
  readonly metrics?: MetricsExport;
}

export interface Telemetry {
  readonly tracing: RequestTracing;
  /** The node hands its metrics over here once built (metrics-producer.ts). */
  readonly metrics: MetricsExport;
  /** Per hook and phase call metrics, shared by the hook runtime (recording) and /metrics. */
  readonly hooks: HookMetrics;
}

export function createTelemetry(providers: TelemetryProviders = {}): Telemetry {
  const tracing = providers.tracing === undefined
    ? TRACING_OFF
    : createRequestTracing(
      providers.tracing.tracerProvider.getTracer(INSTRUMENTATION_SCOPE), providers.tracing.propagator, providers.tracing.startsTraces ?? true,
    );
  return Object.freeze({ tracing, metrics: providers.metrics ?? METRICS_NOT_EXPORTED, hooks: createHookMetrics() });
}
