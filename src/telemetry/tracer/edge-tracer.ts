/**
 * The tracer provider the node records its spans with: an `@opentelemetry/api` TracerProvider
 * that makes `EdgeSpan`s and hands them to the SDK's span processors (batching, export) and
 * samplers unchanged. It exists because a cache hit is ~40 µs of CPU and every µs of a span's
 * fixed cost is a share of it: the SDK's tracer spends ~2.5× what this one does per span
 * (docs/performance.md, "Tracing, third round").
 *
 * What it keeps from the SDK's tracer: sampling (the sampler decides, a NOT_RECORD span is the
 * API's non-recording span carrying the context on), parent/child and remote-parent rules, span
 * limits from the standard environment variables, onStart/onEnding/onEnd for every processor.
 * What it leaves out: the SDK's self-observability span metrics (off by default there too).
 */
import {
  context as apiContext, diag, INVALID_SPAN_CONTEXT, isSpanContextValid, SamplingDecision, SpanKind, trace, TraceFlags,
  type Context, type Span, type SpanContext, type SpanOptions, type Tracer, type TracerOptions, type TracerProvider,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { ReadableSpan, Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EdgeSpan, type SpanHome, type SpanLimits } from './edge-span.ts';
import { SpanClock } from './span-clock.ts';
import { SpanIdPool } from './span-ids.ts';

export interface EdgeTracerProviderOptions {
  readonly resource: ReadableSpan['resource'];
  readonly sampler: Sampler;
  readonly spanProcessors: readonly SpanProcessor[];
  readonly limits?: SpanLimits;
}

/** The SDK's defaults (OpenTelemetry SDK environment variable spec). */
export const DEFAULT_SPAN_LIMITS: SpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});

export class EdgeTracerProvider implements TracerProvider {
  readonly #options: EdgeTracerProviderOptions;
  readonly #processor: SpanProcessor;
  readonly #tracers = new Map<string, Tracer>();
  readonly #clock = new SpanClock();
  readonly #ids = new SpanIdPool();

  constructor(options: EdgeTracerProviderOptions) {
    this.#options = options;
    this.#processor = combined(options.spanProcessors);
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      const home: SpanHome = {
        resource: this.#options.resource,
        instrumentationScope: { name, ...(version === undefined ? {} : { version }), ...(options?.schemaUrl === undefined ? {} : { schemaUrl: options.schemaUrl }) },
        processor: this.#processor,
        limits: this.#options.limits ?? DEFAULT_SPAN_LIMITS,
        clock: this.#clock,
      };
      tracer = new EdgeTracer(home, this.#options.sampler, this.#ids);
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }

  forceFlush(): Promise<void> {
    return this.#processor.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#processor.shutdown();
  }
}

class EdgeTracer implements Tracer {
  readonly #home: SpanHome;
  readonly #sampler: Sampler;
  readonly #ids: SpanIdPool;

  constructor(home: SpanHome, sampler: Sampler, ids: SpanIdPool) {
    this.#home = home;
    this.#sampler = sampler;
    this.#ids = ids;
  }

  startSpan(name: string, options: SpanOptions = {}, context: Context = apiContext.active()): Span {
    const parentContext = options.root === true ? trace.deleteSpan(context) : context;
    if (isTracingSuppressed(parentContext)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpan(parentContext)?.spanContext();
    const validParent = parent !== undefined && isSpanContextValid(parent) ? parent : undefined;
    const traceId = validParent?.traceId ?? this.#ids.traceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const links = options.links ?? [];
    const sampling = this.#sampler.shouldSample(parentContext, traceId, name, kind, options.attributes ?? {}, links);
    const traceState = sampling.traceState ?? validParent?.traceState;
    const spanContext: SpanContext = {
      traceId,
      spanId: this.#ids.spanId(),
      traceFlags: sampling.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...(traceState === undefined ? {} : { traceState }),
    };
    if (sampling.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);

    const span = new EdgeSpan(this.#home, spanContext, name, kind, validParent, options.startTime);
    if (options.attributes !== undefined) span.setAttributes(options.attributes);
    if (sampling.attributes !== undefined) span.setAttributes(sampling.attributes);
    if (links.length > 0) span.addLinks(links);
    this.#home.processor.onStart(span, parentContext);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length >= 2 ? rest[0] as SpanOptions : {};
    const parent = rest.length === 3 ? rest[1] : apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/** One processor as is; several called in order, as the SDK's MultiSpanProcessor does. */
function combined(processors: readonly SpanProcessor[]): SpanProcessor {
  if (processors.length === 1 && processors[0] !== undefined) return processors[0];
  const each = (call: (processor: SpanProcessor) => Promise<void>): Promise<void> =>
    Promise.all(processors.map(call)).then(() => undefined, (error: unknown) => {
      diag.error('span processor failed', error);
    });
  return {
    onStart: (span, context) => { for (const processor of processors) processor.onStart(span, context); },
    onEnding: (span) => { for (const processor of processors) processor.onEnding?.(span); },
    onEnd: (span) => { for (const processor of processors) processor.onEnd(span); },
    forceFlush: () => each((processor) => processor.forceFlush()),
    shutdown: () => each((processor) => processor.shutdown()),
  };
}

/** Span limits from the standard variables; an unset or malformed one keeps the default. */
export function spanLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): SpanLimits {
  const read = (names: readonly string[], fallback: number): number => {
    for (const name of names) {
      const raw = env[name];
      if (raw === undefined || raw.trim() === '') continue;
      const value = Number(raw);
      if (Number.isInteger(value) && value >= 0) return value;
    }
    return fallback;
  };
  const d = DEFAULT_SPAN_LIMITS;
  return Object.freeze({
    attributeCountLimit: read(['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'], d.attributeCountLimit),
    attributeValueLengthLimit: read(['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'], d.attributeValueLengthLimit),
    eventCountLimit: read(['OTEL_SPAN_EVENT_COUNT_LIMIT'], d.eventCountLimit),
    linkCountLimit: read(['OTEL_SPAN_LINK_COUNT_LIMIT'], d.linkCountLimit),
    attributePerEventCountLimit: read(['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], d.attributePerEventCountLimit),
    attributePerLinkCountLimit: read(['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'], d.attributePerLinkCountLimit),
  });
}
