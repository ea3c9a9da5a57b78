/**
 * The counters and histograms the proxy updates on its request path. Kept as plain numbers in
 * fixed slots (no label maps built per request): recording a response costs ~10 ns, where an
 * OpenTelemetry SDK counter with two attributes costs ~500 ns (bench/telemetry-bench.ts). Read
 * only when metrics are collected: a snapshot becomes OpenTelemetry metric data (node-metrics.ts)
 * for admin /metrics and OTLP alike — histograms included, so nothing here calls a meter.
 */
import type { PhaseName, ResponseSource } from '../pipeline/hook-seam.ts';
import { copyHistogram, createHistogram, LATENCY_BUCKETS, observe, REQUEST_BUCKETS, TRANSFORM_BUCKETS, type Histogram } from './histogram.ts';

export type { Histogram } from './histogram.ts';

/**
 * How a response was produced, as metrics count it: the hook contract's source, with the misses
 * the cache did not store (no-store, private, too large, a hook said so…) told apart as
 * `uncacheable` — they could never have been hits, so the hit ratio leaves them out (issue 13).
 */
export type CacheOutcome = ResponseSource | 'uncacheable';
export const CACHE_OUTCOMES: readonly CacheOutcome[] = ['hit', 'stale', 'revalidated', 'miss', 'uncacheable', 'pass', 'local', 'error'];
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
  countResponse(outcome: CacheOutcome, status: number, bodyBytes: number): void;
  /** Body bytes of a streamed or shared response, added once it has closed. */
  countBodyBytes(outcome: CacheOutcome, bodyBytes: number): void;
  /** One client request: arrival → head written (time to first byte), and arrival → last byte handed to the socket. */
  observeRequest(outcome: CacheOutcome, ttfbSeconds: number, durationSeconds: number): void;
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
  /** Keyed "outcome|status class". */
  readonly responses: ReadonlyMap<string, number>;
  readonly bytesServed: ReadonlyMap<CacheOutcome, number>;
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
  readonly requestDuration?: ReadonlyMap<CacheOutcome, Readonly<Histogram>>;
  readonly ttfb?: ReadonlyMap<CacheOutcome, Readonly<Histogram>>;
}

export function createProxyMetrics(): ProxyMetrics {
  const outcomeIndex = new Map(CACHE_OUTCOMES.map((outcome, i) => [outcome, i]));
  const responses = new Float64Array(CACHE_OUTCOMES.length * STATUS_CLASSES.length);
  const bytes = new Float64Array(CACHE_OUTCOMES.length);
  const latency = createHistogram(LATENCY_BUCKETS);
  const transformDuration = createHistogram(TRANSFORM_BUCKETS);
  const originErrors = new Map<string, number>();
  const transforms = new Map<string, number>();
  const clientCuts = new Map<ClientCutReason, number>();
  const shed = new Map<ShedReason, number>();
  const parentEvents = new Map<string, number>();
  const hookBodySkips = new Map<string, number>();
  const requestDuration = CACHE_OUTCOMES.map(() => createHistogram(REQUEST_BUCKETS));
  const ttfb = CACHE_OUTCOMES.map(() => createHistogram(REQUEST_BUCKETS));
  let collapsed = 0;

  return {
    countResponse(outcome, status, bodyBytes) {
      const s = outcomeIndex.get(outcome) ?? 0;
      const c = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4);
      responses[s * STATUS_CLASSES.length + c]! += 1;
      bytes[s]! += bodyBytes;
    },
    countBodyBytes(outcome, bodyBytes) {
      bytes[outcomeIndex.get(outcome) ?? 0]! += bodyBytes;
    },
    observeRequest(outcome, ttfbSeconds, durationSeconds) {
      const s = outcomeIndex.get(outcome) ?? 0;
      observe(ttfb[s]!, ttfbSeconds);
      observe(requestDuration[s]!, durationSeconds);
    },
    observeOriginLatency(seconds) {
      observe(latency, seconds);
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
    },
    countHookBodySkip(hook, phase) {
      const key = `${hook}|${phase}`;
      hookBodySkips.set(key, (hookBodySkips.get(key) ?? 0) + 1);
    },
    snapshot() {
      const byKey = new Map<string, number>();
      CACHE_OUTCOMES.forEach((outcome, s) => STATUS_CLASSES.forEach((cls, c) => {
        byKey.set(`${outcome}|${cls}`, responses[s * STATUS_CLASSES.length + c]!);
      }));
      return {
        responses: byKey,
        bytesServed: new Map(CACHE_OUTCOMES.map((outcome, s) => [outcome, bytes[s]!])),
        originLatency: copyHistogram(latency),
        collapsed,
        originErrors: new Map(originErrors),
        clientCuts: new Map(clientCuts),
        shed: new Map(shed),
        parentEvents: new Map(parentEvents),
        transforms: new Map(transforms),
        transformDuration: copyHistogram(transformDuration),
        hookBodySkips: new Map(hookBodySkips),
        requestDuration: new Map(CACHE_OUTCOMES.map((outcome, s) => [outcome, copyHistogram(requestDuration[s]!)])),
        ttfb: new Map(CACHE_OUTCOMES.map((outcome, s) => [outcome, copyHistogram(ttfb[s]!)])),
      };
    },
  };
}

/**
 * Since start: hit and stale responses over hit, stale, revalidated and miss ones — the responses
 * the cache could have answered. Uncacheable misses, pass-through, local answers and errors are
 * not in it (issue 13: misses the cache could not store counted against it); 0 before any.
 */
export function hitRatio(proxy: ProxyMetricsSnapshot): number {
  let hits = 0;
  let total = 0;
  for (const [key, value] of proxy.responses) {
    const outcome = key.slice(0, key.indexOf('|'));
    if (outcome === 'hit' || outcome === 'stale') hits += value;
    if (outcome === 'hit' || outcome === 'stale' || outcome === 'miss' || outcome === 'revalidated') total += value;
  }
  return total === 0 ? 0 : Number((hits / total).toFixed(6));
}
