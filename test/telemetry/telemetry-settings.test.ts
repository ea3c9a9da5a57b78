/** Where traces and metrics go: the config keys, and the OTEL_* variables that win over them. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import { KNOWN_SAMPLERS, resolveTelemetrySetup, SPAN_BATCH_DEFAULTS, type Env, type TelemetrySetup } from '../../src/cli/telemetry-settings.ts';

function setup(telemetry: Record<string, unknown>, env: Env = {}): TelemetrySetup {
  return resolveTelemetrySetup(resolveConfig({ origin: { url: 'http://127.0.0.1:9' }, telemetry }, { env: {} }).telemetry, env);
}

const OTLP_HTTP = { traces: { exporter: 'otlp-http' } };

describe('resolveTelemetrySetup', () => {
  it('exports nothing by default: no exporter, so no traffic to services nobody configured', () => {
    expect(setup({})).toEqual({
      serviceName: 'edgehook', traces: { kind: 'none' }, sampleRatio: 1, spanBatch: SPAN_BATCH_DEFAULTS,
      metrics: { kind: 'none' }, metricsIntervalMs: 60_000, notes: [], problems: [],
    });
  });

  const cases: Array<[string, Record<string, unknown>, Env, (s: TelemetrySetup) => unknown, unknown]> = [
    ['otlp-http to the default collector', OTLP_HTTP, {}, (s) => s.traces, { kind: 'otlp', protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces' }],
    ['otlp-http to a configured base URL', { traces: { exporter: 'otlp-http', endpoint: 'http://10.0.0.5:4318' } }, {}, (s) => s.traces,
      { kind: 'otlp', protocol: 'http/protobuf', url: 'http://10.0.0.5:4318/v1/traces' }],
    ['otlp-grpc takes the endpoint as is', { traces: { exporter: 'otlp-grpc', endpoint: 'http://jaeger:4317' } }, {}, (s) => s.traces,
      { kind: 'otlp', protocol: 'grpc', url: 'http://jaeger:4317' }],
    ['otlp-grpc to the default collector', { metrics: { exporter: 'otlp-grpc' } }, {}, (s) => s.metrics, { kind: 'otlp', protocol: 'grpc', url: 'http://localhost:4317' }],
    ['metrics get their own signal path', { metrics: { exporter: 'otlp-http', endpoint: 'http://c:4318/' } }, {}, (s) => s.metrics,
      { kind: 'otlp', protocol: 'http/protobuf', url: 'http://c:4318/v1/metrics' }],
    ['console', { traces: { exporter: 'console' } }, {}, (s) => s.traces, { kind: 'console' }],
    ['OTEL_TRACES_EXPORTER=otlp turns traces on', {}, { OTEL_TRACES_EXPORTER: 'otlp' }, (s) => s.traces,
      { kind: 'otlp', protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces' }],
    ['OTEL_TRACES_EXPORTER=none turns configured traces off', OTLP_HTTP, { OTEL_TRACES_EXPORTER: 'none' }, (s) => s.traces, { kind: 'none' }],
    ['OTEL_EXPORTER_OTLP_ENDPOINT beats the config endpoint (signal path appended)', { traces: { exporter: 'otlp-http', endpoint: 'http://config:4318' } },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318' }, (s) => s.traces, { kind: 'otlp', protocol: 'http/protobuf', url: 'http://env:4318/v1/traces' }],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the full URL', OTLP_HTTP,
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom' }, (s) => s.traces,
      { kind: 'otlp', protocol: 'http/protobuf', url: 'http://traces:9999/custom' }],
    ['OTEL_EXPORTER_OTLP_PROTOCOL picks the transport', OTLP_HTTP, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, (s) => s.traces,
      { kind: 'otlp', protocol: 'grpc', url: 'http://localhost:4317' }],
    ['the signal protocol beats the general one', { metrics: { exporter: 'otlp-http' } },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, (s) => s.metrics,
      { kind: 'otlp', protocol: 'http/json', url: 'http://localhost:4318/v1/metrics' }],
    ['OTEL_SDK_DISABLED turns everything off', { ...OTLP_HTTP, metrics: { exporter: 'console' } }, { OTEL_SDK_DISABLED: 'true' },
      (s) => [s.traces, s.metrics], [{ kind: 'none' }, { kind: 'none' }]],
    ['OTEL_TRACES_SAMPLER hands sampling to the SDK', OTLP_HTTP, { OTEL_TRACES_SAMPLER: 'always_off' }, (s) => s.sampleRatio, null],
    ['the configured ratio otherwise', { traces: { exporter: 'otlp-http', sample_ratio: 0.01 } }, {}, (s) => s.sampleRatio, 0.01],
    ['OTEL_SERVICE_NAME leaves service.name to the SDK', {}, { OTEL_SERVICE_NAME: 'edge-1' }, (s) => s.serviceName, null],
    ['service.name in OTEL_RESOURCE_ATTRIBUTES too', { service_name: 'cfg' }, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, service.name=edge-2' },
      (s) => s.serviceName, null],
    ['other resource attributes keep the configured name', { service_name: 'cfg' }, { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod' },
      (s) => s.serviceName, 'cfg'],
    ['OTEL_METRIC_EXPORT_INTERVAL beats the config interval', { metrics: { interval: '30s' } }, { OTEL_METRIC_EXPORT_INTERVAL: '5000' },
      (s) => s.metricsIntervalMs, 5000],
    ['OTEL_BSP_* tune the span batches', OTLP_HTTP, { OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' }, (s) => s.spanBatch,
      { scheduledDelayMs: 100, exportTimeoutMs: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 }],
    ['a batch never exceeds the queue', OTLP_HTTP, { OTEL_BSP_MAX_QUEUE_SIZE: '64' }, (s) => [s.spanBatch.maxQueueSize, s.spanBatch.maxExportBatchSize], [64, 64]],
    ['blank variables count as unset', OTLP_HTTP, { OTEL_TRACES_EXPORTER: ' ', OTEL_EXPORTER_OTLP_ENDPOINT: '' }, (s) => s.traces,
      { kind: 'otlp', protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces' }],
  ];

  it.each(cases)('%s', (_name, telemetry, env, pick, expected) => {
    expect(pick(setup(telemetry, env))).toEqual(expected);
  });

  const ignored: Array<[string, Env, string]> = [
    ['an unsupported exporter', { OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER=zipkin is not supported (otlp, console or none); the value is not used'],
    ['prometheus (the admin endpoint already serves it)', { OTEL_METRICS_EXPORTER: 'prometheus' },
      'OTEL_METRICS_EXPORTER=prometheus: edgehook serves Prometheus text on the admin /metrics endpoint; the value is not used'],
    ['a sampler the SDK does not build in', { OTEL_TRACES_SAMPLER: 'xray' },
      'OTEL_TRACES_SAMPLER=xray is not built in (it needs a remote sampling service); parentbased_always_on is used'],
  ];

  it.each(ignored)('says why it ignores %s, and keeps the config', (_name, env, note) => {
    const resolved = setup({}, env);
    expect(resolved.notes).toEqual([note]);
    expect(resolved.metrics).toEqual({ kind: 'none' });
  });

  // Issue 13: a malformed value was accepted silently; the node now refuses to start with it.
  const refused: Array<[string, Env, string]> = [
    ['an unknown sampler', { OTEL_TRACES_SAMPLER: 'bogus' }, `OTEL_TRACES_SAMPLER=bogus: expected one of ${KNOWN_SAMPLERS.join(', ')}`],
    ['a ratio outside [0, 1]', { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '5' }, 'OTEL_TRACES_SAMPLER_ARG=5: expected a ratio from 0 to 1'],
    ['a bad protocol', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
      'OTEL_EXPORTER_OTLP_PROTOCOL=http: expected an OTLP protocol (http/protobuf, http/json, grpc)'],
    ['a bad interval', { OTEL_METRIC_EXPORT_INTERVAL: 'soon' }, 'OTEL_METRIC_EXPORT_INTERVAL=soon: expected a positive number'],
    ['an unknown resource detector', { OTEL_NODE_RESOURCE_DETECTORS: 'env, hots' },
      'OTEL_NODE_RESOURCE_DETECTORS=env, hots: "hots" is not a detector (expected env, host, os, process, serviceinstance, all or none)'],
  ];

  it.each(refused)('names %s as a problem', (_name, env, problem) => {
    expect(setup({}, env).problems).toEqual([problem]);
  });

  it('accepts a known sampler with its ratio', () => {
    expect(setup({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' }).problems).toEqual([]);
  });
});
