/**
 * The OTLP/HTTP protobuf span exporter for batches encoded as spans ended
 * (encoding-span-processor.ts): the SDK's own exporter machinery — endpoint and headers from the
 * OTEL_EXPORTER_OTLP_* variables, TLS, compression, timeouts, retries with backoff, its export
 * concurrency limit — built as the SDK builds its protobuf `OTLPTraceExporter`, with a serializer
 * that has nothing left to do but hand over the bytes.
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate, type OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, type IExportTraceServiceResponse, type IExporterMetricsHelper, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { EncodedSpanExporter } from './encoding-span-processor.ts';
import type { EncodedSpanBatch } from './otlp-span-encoder.ts';

/** The SDK's component type for its OTLP/HTTP span exporter (its self-observability metrics name it). */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

const PRE_ENCODED: ISerializer<EncodedSpanBatch, IExportTraceServiceResponse> = {
  serializeRequest: (batch) => batch.bytes,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

const SPAN_COUNT: IExporterMetricsHelper<EncodedSpanBatch> = { name: 'span', countItems: (batch) => batch.spanCount };

export class OtlpProtoSpanExporter extends OTLPExporterBase<EncodedSpanBatch> implements EncodedSpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      PRE_ENCODED,
      COMPONENT_TYPE,
      SPAN_COUNT,
      undefined,
    ));
  }
}
