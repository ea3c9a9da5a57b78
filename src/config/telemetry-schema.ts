/**
 * The `telemetry:` mapping: where traces and metrics go. Everything is off by default (no
 * exporter, so edgehook never talks to a service nobody configured); the admin `/metrics`
 * endpoint serves Prometheus text whatever is set here. Only the CLI reads these settings to
 * start the OpenTelemetry SDK (src/cli/telemetry-sdk.ts); there the standard OTEL_* environment
 * variables, when set, take precedence over these keys.
 */
import * as s from './dsl/index.ts';

export const TELEMETRY_EXPORTERS = ['otlp-http', 'otlp-grpc', 'console', 'none'] as const;
export type TelemetryExporter = (typeof TELEMETRY_EXPORTERS)[number];

export interface TracesConfig {
  readonly exporter: TelemetryExporter;
  /** Collector base URL; null = OTEL_EXPORTER_OTLP_ENDPOINT, else the OTLP default on localhost. */
  readonly endpoint: string | null;
  /** Share of new traces recorded (0..1); a sampled incoming traceparent is always followed. */
  readonly sampleRatio: number;
}

export interface MetricsConfig {
  readonly exporter: TelemetryExporter;
  readonly endpoint: string | null;
  /** Push interval of the metrics exporter. */
  readonly interval: s.Millis;
}

export interface TelemetryConfig {
  readonly serviceName: string;
  readonly traces: TracesConfig;
  readonly metrics: MetricsConfig;
}

const exporterDoc = (signal: string): string =>
  `Where ${signal} are sent: otlp-http (OTLP over HTTP/protobuf, port 4318), otlp-grpc (port 4317), console (stdout, for debugging) or none.`;

const endpoint = (signal: string, path: string): s.Field<string | null> => s.orNull(
  s.url({
    doc: `Base URL of the OpenTelemetry Collector (or Jaeger, Tempo, …) receiving ${signal}; otlp-http appends ${path}.`,
    protocols: ['http:', 'https:'],
  }),
  { meaning: 'OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4318, or :4317 for otlp-grpc' },
);

const traces = s.object({
  exporter: s.enumOf(TELEMETRY_EXPORTERS, { doc: exporterDoc('spans'), default: 'none' }),
  endpoint: endpoint('spans', '/v1/traces'),
  sample_ratio: s.number({
    doc: 'Share of requests that start a recorded trace (0 to 1). A request whose traceparent says "sampled" is always recorded, so a trace stays whole across services; at 0 only those are, and the others cost nothing.',
    default: 1,
    min: 0,
    max: 1,
  }),
}, { doc: 'Distributed tracing: a span tree per request (cache lookup, hook phases and hooks, origin fetch, cache store).' });

const metrics = s.object({
  exporter: s.enumOf(TELEMETRY_EXPORTERS, { doc: `${exporterDoc('metrics')} The admin /metrics endpoint serves Prometheus text regardless.`, default: 'none' }),
  endpoint: endpoint('metrics', '/v1/metrics'),
  interval: s.duration({ doc: 'How often metrics are pushed to the exporter.', default: '60s', min: 1000 }),
}, { doc: 'OpenTelemetry metrics push (the same numbers as the admin /metrics endpoint).' });

export const telemetryField: s.Field<TelemetryConfig> = s.object({
  service_name: s.string({ doc: 'service.name of the traces and metrics this node exports.', default: 'edgehook' }),
  traces,
  metrics,
}, { doc: 'OpenTelemetry traces and metrics. Only the CLI starts the SDK; the standard OTEL_* environment variables take precedence over these keys.' });

/** Fails to compile when the schema and TelemetryConfig disagree. */
export type TelemetrySchemaMatches = s.SameShape<s.FieldValue<typeof telemetryField>, TelemetryConfig>;
