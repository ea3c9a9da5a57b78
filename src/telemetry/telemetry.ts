/**
 * The telemetry handles a node (and its hook runtime) is built with: request-path tracing, the
 * meter, and the per-hook metrics. Built once from OpenTelemetry API providers — the CLI passes
 * the SDK's (src/cli/telemetry-sdk.ts), tests pass in-memory ones, and with none at all
 * everything is off and free. Never looked up per request, never global.
 */
import { createNoopMeter, type Meter, type MeterProvider, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import { createHookMetrics, type HookMetrics } from './hook-metrics.ts';
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
  /** Absent = the no-op meter: histograms cost a call into an empty function. */
  readonly meterProvider?: MeterProvider;
}

export interface Telemetry {
  readonly tracing: RequestTracing;
  readonly meter: Meter;
  /** Per hook and phase call metrics, shared by the hook runtime (recording) and /metrics. */
  readonly hooks: HookMetrics;
}

export function createTelemetry(providers: TelemetryProviders = {}): Telemetry {
  const tracing = providers.tracing === undefined
    ? TRACING_OFF
    : createRequestTracing(
      providers.tracing.tracerProvider.getTracer(INSTRUMENTATION_SCOPE), providers.tracing.propagator, providers.tracing.startsTraces ?? true,
    );
  const meter = providers.meterProvider?.getMeter(INSTRUMENTATION_SCOPE) ?? createNoopMeter();
  return Object.freeze({ tracing, meter, hooks: createHookMetrics(meter) });
}
