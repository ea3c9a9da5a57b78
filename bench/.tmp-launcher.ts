import { parseArgs } from 'node:util';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { configFromFlags } from '/work/main/src/config/load.ts';
import { createLogger } from '/work/main/src/log.ts';
import { startNode } from '/work/main/src/node.ts';
import { createTelemetry } from '/work/main/src/telemetry/telemetry.ts';
const { values } = parseArgs({ options: { origin: { type: 'string' } } });
const config = configFromFlags({ origin: values.origin!, listen: '127.0.0.1:0', admin: 'off', logLevel: 'warn' }, { env: {} });
const variant = process.env.TMP_VARIANT ?? 'off';
const drop: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
let telemetry = createTelemetry();
if (variant !== 'off') {
  const exporter = variant === 'drop' ? drop : new OTLPTraceExporter({ url: `${values.origin}/v1/traces` });
  const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [new BatchSpanProcessor({ exporter })] });
  telemetry = createTelemetry({ tracing: { tracerProvider: provider, propagator: new W3CTraceContextPropagator() } });
}
const node = await startNode({ config, logger: createLogger({ level: 'warn' }), telemetry });
process.stdout.write(JSON.stringify({ msg: 'listening', url: node.url }) + '\n');
process.once('SIGTERM', () => void node.close(500).then(() => process.exit(0)));
