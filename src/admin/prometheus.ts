/**
 * Prometheus text exposition (format 0.0.4) of the proxy's metrics and the store's gauges.
 * Rendered on scrape only, never on the request path.
 */
import type { CacheStoreStats } from '../cache/types.ts';
import type { ProxyMetricsSnapshot } from '../telemetry/proxy-metrics.ts';

export interface MetricsSources {
  readonly proxy: ProxyMetricsSnapshot;
  readonly store: CacheStoreStats;
  /** Extra exposition text appended as is (e.g. hook metrics). */
  readonly extra?: string;
}

export function renderPrometheus({ proxy, store, extra }: MetricsSources): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };

  metric('edgehook_responses_total', 'counter', 'Responses sent, by cache outcome and status class.');
  for (const [key, value] of proxy.responses) {
    const [source, statusClass] = key.split('|');
    lines.push(`edgehook_responses_total{cache="${source}",status_class="${statusClass}"} ${value}`);
  }
  metric('edgehook_cache_hit_ratio', 'gauge', 'Share of cacheable responses served from cache (hit + stale) since start.');
  lines.push(`edgehook_cache_hit_ratio ${hitRatio(proxy)}`);
  metric('edgehook_response_body_bytes_total', 'counter', 'Body bytes served, by cache outcome.');
  for (const [source, bytes] of proxy.bytesServed) lines.push(`edgehook_response_body_bytes_total{cache="${source}"} ${bytes}`);

  metric('edgehook_origin_latency_seconds', 'histogram', 'Time from sending an origin request to its response head.');
  const { bounds, counts, sum, count } = proxy.originLatency;
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += counts[i]!;
    lines.push(`edgehook_origin_latency_seconds_bucket{le="${bound}"} ${cumulative}`);
  });
  lines.push(`edgehook_origin_latency_seconds_bucket{le="+Inf"} ${count}`);
  lines.push(`edgehook_origin_latency_seconds_sum ${sum}`, `edgehook_origin_latency_seconds_count ${count}`);

  metric('edgehook_origin_errors_total', 'counter', 'Origin requests that failed, by error code.');
  for (const [code, value] of proxy.originErrors) lines.push(`edgehook_origin_errors_total{code="${code}"} ${value}`);
  metric('edgehook_collapsed_requests_total', 'counter', 'Requests that waited on another request\'s origin fetch.');
  lines.push(`edgehook_collapsed_requests_total ${proxy.collapsed}`);

  metric('edgehook_cache_bytes', 'gauge', 'Bytes held by the cache store.');
  lines.push(`edgehook_cache_bytes ${store.bytes}`);
  metric('edgehook_cache_max_bytes', 'gauge', 'Byte bound of the cache store.');
  lines.push(`edgehook_cache_max_bytes ${store.maxBytes}`);
  metric('edgehook_cache_entries', 'gauge', 'Objects held by the cache store.');
  lines.push(`edgehook_cache_entries ${store.entries}`);
  metric('edgehook_cache_evictions_total', 'counter', 'Objects evicted to stay within bounds.');
  lines.push(`edgehook_cache_evictions_total ${store.evictions}`);
  return lines.join('\n') + '\n' + (extra ?? '');
}

function hitRatio(proxy: ProxyMetricsSnapshot): number {
  let hits = 0;
  let total = 0;
  for (const [key, value] of proxy.responses) {
    const source = key.slice(0, key.indexOf('|'));
    if (source === 'hit' || source === 'stale') hits += value;
    if (source === 'hit' || source === 'stale' || source === 'miss' || source === 'revalidated') total += value;
  }
  return total === 0 ? 0 : Number((hits / total).toFixed(6));
}
