/**
 * The counters and histograms the proxy updates on its request path. Kept as plain numbers in
 * fixed slots (no label maps built per request); the admin listener renders them as Prometheus
 * text. Bucket bounds are fixed at construction.
 */
import type { ResponseSource } from '../pipeline/hook-seam.ts';

export const RESPONSE_SOURCES: readonly ResponseSource[] = ['hit', 'stale', 'revalidated', 'miss', 'pass', 'local', 'error'];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** Origin latency buckets in seconds (upper bounds), Prometheus convention. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface ProxyMetrics {
  countResponse(source: ResponseSource, status: number, bodyBytes: number): void;
  observeOriginLatency(seconds: number): void;
  countCollapsed(): void;
  countOriginError(code: string): void;
  snapshot(): ProxyMetricsSnapshot;
}

export interface ProxyMetricsSnapshot {
  readonly responses: ReadonlyMap<string, number>;
  readonly bytesServed: ReadonlyMap<ResponseSource, number>;
  readonly originLatency: Readonly<Histogram>;
  readonly collapsed: number;
  readonly originErrors: ReadonlyMap<string, number>;
}

export function createProxyMetrics(): ProxyMetrics {
  const sourceIndex = new Map(RESPONSE_SOURCES.map((source, i) => [source, i]));
  const responses = new Float64Array(RESPONSE_SOURCES.length * STATUS_CLASSES.length);
  const bytes = new Float64Array(RESPONSE_SOURCES.length);
  const latency: Histogram = { bounds: LATENCY_BUCKETS, counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
  const originErrors = new Map<string, number>();
  let collapsed = 0;

  return {
    countResponse(source, status, bodyBytes) {
      const s = sourceIndex.get(source) ?? 0;
      const c = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4);
      responses[s * STATUS_CLASSES.length + c]! += 1;
      bytes[s]! += bodyBytes;
    },
    observeOriginLatency(seconds) {
      latency.sum += seconds;
      latency.count++;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        if (seconds <= LATENCY_BUCKETS[i]!) {
          latency.counts[i]!++;
          break;
        }
      }
    },
    countCollapsed() {
      collapsed++;
    },
    countOriginError(code) {
      originErrors.set(code, (originErrors.get(code) ?? 0) + 1);
    },
    snapshot() {
      const byKey = new Map<string, number>();
      RESPONSE_SOURCES.forEach((source, s) => STATUS_CLASSES.forEach((cls, c) => {
        byKey.set(`${source}|${cls}`, responses[s * STATUS_CLASSES.length + c]!);
      }));
      return {
        responses: byKey,
        bytesServed: new Map(RESPONSE_SOURCES.map((source, s) => [source, bytes[s]!])),
        originLatency: { ...latency, counts: [...latency.counts] },
        collapsed,
        originErrors: new Map(originErrors),
      };
    },
  };
}
