/**
 * The OTLP/HTTP protobuf span exporter: the SDK's own exporter machinery (endpoint and headers
 * from the OTEL_EXPORTER_OTLP_* variables, TLS, compression, timeouts, retries with backoff) with
 * the node's span encoder in place of the SDK's serializer. This is how the SDK builds its
 * `OTLPTraceExporter` for protobuf, with one argument changed.
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate, type OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { OtlpSpanEncoder } from './otlp-span-encoder.ts';

/** The SDK's component type for its OTLP/HTTP span exporter (its self-observability metrics name it). */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export class OtlpProtoSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      new OtlpSpanEncoder(),
      COMPONENT_TYPE,
      TraceExporterMetricsHelper,
      undefined,
    ));
  }
}
