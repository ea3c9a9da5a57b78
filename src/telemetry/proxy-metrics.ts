/**
 * The counters and histograms the proxy updates on its request path. Kept as plain numbers in
 * fixed slots (no label maps built per request): recording a response costs ~10 ns, where an
 * OpenTelemetry SDK counter with two attributes costs ~500 ns (bench/telemetry-bench.ts). They
 * are the source of the admin /metrics text, and OpenTelemetry reads them through observable
 * instruments at collection time (otel-metrics.ts). Histograms also record into OTel histograms
 * (the API cannot observe a histogram); with no metrics SDK that is the no-op meter, a few ns.
 */
import { createNoopMeter, type Histogram as OtelHistogram, type Meter, type MetricAttributes } from '@opentelemetry/api';
import type { PhaseName, ResponseSource } from '../pipeline/hook-seam.ts';
import { copyHistogram, createHistogram, LATENCY_BUCKETS, observe, REQUEST_BUCKETS, TRANSFORM_BUCKETS, type Histogram } from './histogram.ts';
import { LABEL, METRIC } from './names.ts';

export type { Histogram } from './histogram.ts';

export const RESPONSE_SOURCES: readonly ResponseSource[] = ['hit', 'stale', 'revalidated', 'miss', 'pass', 'local', 'error'];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
/** 'ok', or why the transform was refused ('too-large', 'corrupt', 'busy', …): a bounded set. */
export type TransformResult = string;
/** Why a client connection was cut for being too slow (a bounded set). */
export type ClientCutReason = 'shared-body-lag' | 'send-stalled' | 'upload-too-slow' | 'upload-deadline';
/** Why a request was shed before it was served (a bounded set). */
export type ShedReason = 'in-flight' | 'event-loop' | 'origin-queue';
/** What happened to a parent of the shield tier (a bounded set; parents are bounded by config). */
export type ParentEvent = 'ejected' | 'readmitted' | 'failover-error' | 'failover-5xx' | 'failover-loop';

export interface ProxyMetrics {
  countResponse(source: ResponseSource, status: number, bodyBytes: number): void;
  /** Body bytes of a streamed or shared response, added once it has closed. */
  countBodyBytes(source: ResponseSource, bodyBytes: number): void;
  /** One client request: arrival → head written (time to first byte), and arrival → last byte handed to the socket. */
  observeRequest(source: ResponseSource, ttfbSeconds: number, durationSeconds: number): void;
  observeOriginLatency(seconds: number): void;
  countCollapsed(): void;
  countOriginError(code: string): void;
  /** A client cut for sending or reading too slowly. */
  countClientCut(reason: ClientCutReason): void;
  /** A request refused with 503 to protect the node. */
  countShed(reason: ShedReason): void;
  /** A shield-tier parent ejected, readmitted, or failed over from. */
  countParentEvent(parent: string, event: ParentEvent): void;
  /** One image transform: its kind (the output format), result and duration. */
  countTransform(kind: string, result: TransformResult, seconds: number): void;
  /** A hook not called for a body over its bound (body.overflow: pass); hooks are bounded by config. */
  countHookBodySkip(hook: string, phase: PhaseName): void;
  snapshot(): ProxyMetricsSnapshot;
}

export interface ProxyMetricsSnapshot {
  /** Keyed "source|status class". */
  readonly responses: ReadonlyMap<string, number>;
  readonly bytesServed: ReadonlyMap<ResponseSource, number>;
  readonly originLatency: Readonly<Histogram>;
  readonly collapsed: number;
  readonly originErrors: ReadonlyMap<string, number>;
  readonly clientCuts: ReadonlyMap<ClientCutReason, number>;
  readonly shed: ReadonlyMap<ShedReason, number>;
  /** Keyed "parent|event". */
  readonly parentEvents: ReadonlyMap<string, number>;
  /** Keyed "kind|outcome". */
  readonly transforms: ReadonlyMap<string, number>;
  readonly transformDuration: Readonly<Histogram>;
  /** Keyed "hook|phase" (absent in snapshots from before body.overflow). */
  readonly hookBodySkips?: ReadonlyMap<string, number>;
  /** Per cache outcome (absent in snapshots from before issue 13). */
  readonly requestDuration?: ReadonlyMap<ResponseSource, Readonly<Histogram>>;
  readonly ttfb?: ReadonlyMap<ResponseSource, Readonly<Histogram>>;
}

/** `meter` receives the histograms; by default none (a no-op meter). */
export function createProxyMetrics(meter: Meter = createNoopMeter()): ProxyMetrics {
  const sourceIndex = new Map(RESPONSE_SOURCES.map((source, i) => [source, i]));
  const responses = new Float64Array(RESPONSE_SOURCES.length * STATUS_CLASSES.length);
  const bytes = new Float64Array(RESPONSE_SOURCES.length);
  const latency = createHistogram(LATENCY_BUCKETS);
  const transformDuration = createHistogram(TRANSFORM_BUCKETS);
  const originErrors = new Map<string, number>();
  const transforms = new Map<string, number>();
  const clientCuts = new Map<ClientCutReason, number>();
  const shed = new Map<ShedReason, number>();
  const parentEvents = new Map<string, number>();
  const hookBodySkips = new Map<string, number>();
  const otel = otelHistograms(meter);
  const requestDuration = RESPONSE_SOURCES.map(() => createHistogram(REQUEST_BUCKETS));
  const ttfb = RESPONSE_SOURCES.map(() => createHistogram(REQUEST_BUCKETS));
  // Built once: an OTel record with attributes built per call costs an object per request.
  const sourceAttributes = RESPONSE_SOURCES.map((source) => ({ [LABEL.cache]: source }) satisfies MetricAttributes);
  let collapsed = 0;

  return {
    countResponse(source, status, bodyBytes) {
      const s = sourceIndex.get(source) ?? 0;
      const c = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4);
      responses[s * STATUS_CLASSES.length + c]! += 1;
      bytes[s]! += bodyBytes;
    },
    countBodyBytes(source, bodyBytes) {
      bytes[sourceIndex.get(source) ?? 0]! += bodyBytes;
    },
    observeRequest(source, ttfbSeconds, durationSeconds) {
      const s = sourceIndex.get(source) ?? 0;
      observe(ttfb[s]!, ttfbSeconds);
      observe(requestDuration[s]!, durationSeconds);
      otel.requestDuration.record(durationSeconds, sourceAttributes[s]);
      otel.ttfb.record(ttfbSeconds, sourceAttributes[s]);
    },
    observeOriginLatency(seconds) {
      observe(latency, seconds);
      otel.originDuration.record(seconds);
    },
    countCollapsed() {
      collapsed++;
    },
    countOriginError(code) {
      originErrors.set(code, (originErrors.get(code) ?? 0) + 1);
    },
    countClientCut(reason) {
      clientCuts.set(reason, (clientCuts.get(reason) ?? 0) + 1);
    },
    countShed(reason) {
      shed.set(reason, (shed.get(reason) ?? 0) + 1);
    },
    countParentEvent(parent, event) {
      const key = `${parent}|${event}`;
      parentEvents.set(key, (parentEvents.get(key) ?? 0) + 1);
    },
    countTransform(kind, outcome, seconds) {
      const key = `${kind}|${outcome}`;
      transforms.set(key, (transforms.get(key) ?? 0) + 1);
      observe(transformDuration, seconds);
      otel.transformDuration.record(seconds, { [LABEL.kind]: kind, [LABEL.outcome]: outcome } satisfies MetricAttributes);
    },
    countHookBodySkip(hook, phase) {
      const key = `${hook}|${phase}`;
      hookBodySkips.set(key, (hookBodySkips.get(key) ?? 0) + 1);
    },
    snapshot() {
      const byKey = new Map<string, number>();
      RESPONSE_SOURCES.forEach((source, s) => STATUS_CLASSES.forEach((cls, c) => {
        byKey.set(`${source}|${cls}`, responses[s * STATUS_CLASSES.length + c]!);
      }));
      return {
        responses: byKey,
        bytesServed: new Map(RESPONSE_SOURCES.map((source, s) => [source, bytes[s]!])),
        originLatency: copyHistogram(latency),
        collapsed,
        originErrors: new Map(originErrors),
        clientCuts: new Map(clientCuts),
        shed: new Map(shed),
        parentEvents: new Map(parentEvents),
        transforms: new Map(transforms),
        transformDuration: copyHistogram(transformDuration),
        hookBodySkips: new Map(hookBodySkips),
        requestDuration: new Map(RESPONSE_SOURCES.map((source, s) => [source, copyHistogram(requestDuration[s]!)])),
        ttfb: new Map(RESPONSE_SOURCES.map((source, s) => [source, copyHistogram(ttfb[s]!)])),
      };
    },
  };
}

function otelHistograms(meter: Meter): Record<'originDuration' | 'transformDuration' | 'requestDuration' | 'ttfb', OtelHistogram> {
  return {
    requestDuration: meter.createHistogram(METRIC.requestDuration, {
      description: 'Client request time, from arrival to the last byte handed to the socket, by cache outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...REQUEST_BUCKETS] },
    }),
    ttfb: meter.createHistogram(METRIC.ttfb, {
      description: 'Client request time to first byte (the response head written), by cache outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...REQUEST_BUCKETS] },
    }),
    originDuration: meter.createHistogram(METRIC.originDuration, {
      description: 'Origin fetch time up to the response head.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS] },
    }),
    transformDuration: meter.createHistogram(METRIC.transformDuration, {
      description: 'Body transform time.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...TRANSFORM_BUCKETS] },
    }),
  };
}

/**
 * Since start: hit + stale over hit, stale, revalidated and miss (misses include responses that
 * could not be stored: the counters cannot tell them apart); 0 before any. The help text says so
 * (issue 13: it claimed "cacheable"); dashboards use rate() of the responses instead.
 */
export function hitRatio(proxy: ProxyMetricsSnapshot): number {
  let hits = 0;
  let total = 0;
  for (const [key, value] of proxy.responses) {
    const source = key.slice(0, key.indexOf('|'));
    if (source === 'hit' || source === 'stale') hits += value;
    if (source === 'hit' || source === 'stale' || source === 'miss' || source === 'revalidated') total += value;
  }
  return total === 0 ? 0 : Number((hits / total).toFixed(6));
}
