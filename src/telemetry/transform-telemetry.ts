/**
 * An image transform as a span (child of the request's span) and in the transform metrics:
 * counted by output format and outcome, timed. Transforms take milliseconds on the thread pool,
 * so the closure and the clock reads here cost nothing that matters.
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { TransformOutcome } from '../attributes/transform.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import { ATTR, SPAN } from './names.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import type { RequestTracing } from './request-tracing.ts';

export async function observeTransform(
  telemetry: { readonly tracing: RequestTracing; readonly metrics: ProxyMetrics },
  parent: Span | null,
  transform: Pick<ResolvedTransform, 'canonical' | 'format'>,
  run: () => Promise<TransformOutcome>,
): Promise<TransformOutcome> {
  const span = telemetry.tracing.startChild(parent, SPAN.imageTransform);
  span?.setAttribute(ATTR.transformKind, transform.canonical);
  const started = performance.now();
  let outcome: TransformOutcome;
  try {
    outcome = await run();
  } catch (error) {
    // The transformer answers refusals as values; a throw is a bug, still counted and traced.
    record(telemetry.metrics, span, transform.format, 'failed', started);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span?.end();
    throw error;
  }
  record(telemetry.metrics, span, transform.format, outcome.tag === 'ok' ? 'ok' : outcome.val, started);
  span?.end();
  return outcome;
}

function record(metrics: ProxyMetrics, span: Span | null, format: string, result: string, started: number): void {
  metrics.countTransform(format, result, (performance.now() - started) / 1000);
  span?.setAttribute(ATTR.transformOutcome, result);
  if (result !== 'ok') span?.setAttribute(ATTR.errorType, result);
}
