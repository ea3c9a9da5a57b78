/**
 * The node's metrics: one snapshot (a node's own, or a primary's merge of its workers') as
 * OpenTelemetry metric data, each metric with its one name (names.ts), unit and help. This list
 * is what admin /metrics serializes and what OTLP pushes, so both say the same (issue 13). Taken
 * when metrics are collected, never on the request path.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { MetricsSnapshot } from '../admin/metrics-snapshot.ts';
import type { TierStats } from '../cache/tiered-store.ts';
import type { CacheFaultCounts } from '../cache/types.ts';
import type { UpstreamConnections } from '../origin/origin-client.ts';
import { buildInfo } from './build-info.ts';
import { filterMetricData } from './filter-metrics.ts';
import { countCircuits, hookMetricData, type CircuitCounts } from './hook-metrics.ts';
import { counter, gauge, histogram, upDownCounter, type CollectionTimes } from './metric-data.ts';
import { LABEL, METRIC, TIER_FAULT_LABELS } from './names.ts';
import type { ProcessSnapshot } from './process-metrics.ts';
import { hitRatio, type ProxyMetricsSnapshot } from './proxy-metrics.ts';

/** A snapshot, and for a primary how many workers have each hook's circuit in each state. */
export interface NodeMetricsInput extends MetricsSnapshot {
  readonly circuitCounts?: CircuitCounts;
}

export function nodeMetricData(input: NodeMetricsInput, times: CollectionTimes): MetricData[] {
  const { proxy, hooks } = input;
  return [
    buildInfoData(times),
    ...(input.process === undefined ? [] : processData(input.process, times)),
    ...responseData(proxy, times),
    ...upstreamData(proxy, input.upstream ?? [], times),
    ...storeData(input.tiers ?? [{ tier: 'memory', stats: input.store }], times),
    ...(hooks === undefined ? [] : hookMetricData(hooks.phases, input.circuitCounts ?? countCircuits([hooks.circuits]), times)),
    ...(hooks?.filters === undefined ? [] : filterMetricData(hooks.filters, times)),
    ...transformData(proxy, times),
  ];
}

/** The Prometheus convention for build facts: a gauge that is always 1, the facts as attributes. */
export function buildInfoData(times: CollectionTimes): MetricData {
  const { version, nodeVersion } = buildInfo();
  return gauge({ name: METRIC.buildInfo, description: 'Always 1; the attributes say which edgehook and which Node.js run.', unit: '' }, times,
    [[1, { [LABEL.version]: version, [LABEL.nodeVersion]: nodeVersion }]]);
}

function processData(p: ProcessSnapshot, times: CollectionTimes): MetricData[] {
  return [
    counter({ name: METRIC.processCpu, description: 'CPU time (user and system) the process spent (with workers: the workers together).', unit: 's' }, times, [[p.cpuSeconds]]),
    upDownCounter({ name: METRIC.processMemory, description: 'Resident memory of the process (with workers: the workers together).', unit: 'By' }, times, [[p.residentBytes]]),
    gauge({
      name: METRIC.eventLoopDelay, unit: 's',
      description: 'The 99th percentile of the event loop\'s delay since the previous collection (with workers: the worst worker\'s).',
    }, times, [[p.eventLoopDelayP99Seconds]]),
    upDownCounter({ name: METRIC.requestsInFlight, description: 'Client requests being answered now.', unit: '{request}' }, times, [[p.requestsInFlight]]),
    upDownCounter({ name: METRIC.clientConnections, description: 'Client connections open now.', unit: '{connection}' }, times, [[p.clientConnections]]),
  ];
}

function responseData(proxy: ProxyMetricsSnapshot, times: CollectionTimes): MetricData[] {
  const byOutcome = (outcome: string): Record<string, string> => ({ [LABEL.cache]: outcome });
  return [
    counter({
      name: METRIC.responses, unit: '{response}',
      description: 'Responses sent, by cache outcome (hit, stale, revalidated, miss, uncacheable — a miss the cache could not store —, pass, local, error) and status class.',
    }, times, [...proxy.responses].map(([key, n]) => {
      const [outcome, statusClass] = key.split('|');
      return [n, { [LABEL.cache]: outcome!, [LABEL.statusClass]: statusClass! }] as const;
    })),
    gauge({
      name: METRIC.hitRatio, unit: '1',
      description: 'Since start: hit and stale responses over hit, stale and revalidated responses and cacheable misses. Left out: '
        + 'uncacheable misses (responses the cache could not store: no-store, private, too large…), pass-through, local answers '
        + 'and errors. For a ratio over a window, use rate() of edgehook_responses_total.',
    }, times, [[hitRatio(proxy)]]),
    counter({ name: METRIC.responseBytes, description: 'Body bytes served, by cache outcome.', unit: 'By' }, times,
      [...proxy.bytesServed].map(([outcome, bytes]) => [bytes, byOutcome(outcome)] as const)),
    histogram({ name: METRIC.requestDuration, description: 'Client request time, from arrival to the last byte handed to the socket, by cache outcome.', unit: 's' }, times,
      [...proxy.requestDuration ?? []].map(([outcome, h]) => [h, byOutcome(outcome)] as const)),
    histogram({ name: METRIC.ttfb, description: 'Client request time to first byte (the response head written), by cache outcome.', unit: 's' }, times,
      [...proxy.ttfb ?? []].map(([outcome, h]) => [h, byOutcome(outcome)] as const)),
    counter({ name: METRIC.collapsed, description: 'Requests that waited on another request\'s origin fetch.', unit: '{request}' }, times, [[proxy.collapsed]]),
    counter({ name: METRIC.clientCuts, description: 'Client connections cut for sending or reading too slowly, by reason.', unit: '{connection}' }, times,
      [...proxy.clientCuts].map(([reason, n]) => [n, { [LABEL.reason]: reason }] as const)),
    counter({ name: METRIC.shed, description: 'Requests refused with 503 to protect the node, by reason.', unit: '{request}' }, times,
      [...proxy.shed].map(([reason, n]) => [n, { [LABEL.reason]: reason }] as const)),
  ];
}

function upstreamData(proxy: ProxyMetricsSnapshot, upstream: readonly UpstreamConnections[], times: CollectionTimes): MetricData[] {
  const server = (c: UpstreamConnections): Record<string, string | number> => ({ [LABEL.serverAddress]: c.address, [LABEL.serverPort]: c.port });
  return [
    histogram({ name: METRIC.originDuration, description: 'Origin fetch time, from sending the request to its response head.', unit: 's' }, times, [[proxy.originLatency]]),
    upDownCounter({
      name: METRIC.originConnections, unit: '{connection}',
      description: 'Connections open to the origin and to shield-tier parents, by state (active: carrying a request; idle: kept alive in the pool) and server.',
    }, times, upstream.flatMap((c) => [
      [c.active, { [LABEL.httpConnectionState]: 'active', ...server(c) }] as const,
      [c.idle, { [LABEL.httpConnectionState]: 'idle', ...server(c) }] as const,
    ])),
    counter({ name: METRIC.originErrors, description: 'Origin requests that failed, by error code (what failed: connect, timeout, protocol).', unit: '{request}' }, times,
      [...proxy.originErrors].map(([code, n]) => [n, { [LABEL.code]: code }] as const)),
    counter({ name: METRIC.parentEvents, description: 'Shield-tier parents ejected, readmitted and failed over from, by parent and event.', unit: '{event}' }, times,
      [...proxy.parentEvents].map(([key, n]) => {
        const [parent, event] = key.split('|');
        return [n, { [LABEL.parent]: parent!, [LABEL.event]: event! }] as const;
      })),
  ];
}

/** Every tier (a store without tiers is one memory tier): what it holds next to its bounds, evictions, faults. */
function storeData(tiers: readonly TierStats[], times: CollectionTimes): MetricData[] {
  const of = (tier: string): Record<string, string> => ({ [LABEL.tier]: tier });
  return [
    upDownCounter({ name: METRIC.cacheSize, description: 'Bytes each cache tier holds (memory: with workers, summed over them).', unit: 'By' }, times,
      tiers.map(({ tier, stats }) => [stats.bytes, of(tier)] as const)),
    upDownCounter({
      name: METRIC.cacheMaxSize, unit: 'By',
      description: 'Byte bound of each cache tier (the disk tier lowers it when its disk fills); size over max_size is how full the tier is.',
    }, times, tiers.map(({ tier, stats }) => [stats.maxBytes, of(tier)] as const)),
    upDownCounter({ name: METRIC.cacheEntries, description: 'Objects each cache tier holds.', unit: '{object}' }, times,
      tiers.map(({ tier, stats }) => [stats.entries, of(tier)] as const)),
    upDownCounter({ name: METRIC.cacheMaxEntries, description: 'Object bound of each cache tier that has one (memory: cache.memory.max_entries).', unit: '{object}' }, times,
      tiers.flatMap(({ tier, stats }) => (stats.maxEntries === undefined ? [] : [[stats.maxEntries, of(tier)] as const]))),
    counter({ name: METRIC.cacheEvictions, description: 'Objects each cache tier evicted to stay within its bounds.', unit: '{object}' }, times,
      tiers.map(({ tier, stats }) => [stats.evictions, of(tier)] as const)),
    counter({ name: METRIC.cacheFaults, description: 'Objects a cache tier did not store, or dropped, by fault.', unit: '{object}' }, times,
      tiers.flatMap(({ tier, stats }) => Object.entries(TIER_FAULT_LABELS).flatMap(([field, fault]) => {
        const value = stats[field as keyof CacheFaultCounts];
        return value === undefined ? [] : [[value, { ...of(tier), [LABEL.fault]: fault }] as const];
      }))),
  ];
}

function transformData(proxy: ProxyMetricsSnapshot, times: CollectionTimes): MetricData[] {
  return [
    counter({ name: METRIC.transforms, description: 'Body transforms (image resizing and re-encoding), by kind and outcome.', unit: '{transform}' }, times,
      [...proxy.transforms].map(([key, n]) => {
        const [kind, outcome] = key.split('|');
        return [n, { [LABEL.kind]: kind!, [LABEL.outcome]: outcome! }] as const;
      })),
    histogram({ name: METRIC.transformDuration, description: 'Body transform duration.', unit: 's' }, times, [[proxy.transformDuration]]),
    counter({ name: METRIC.hookBodySkips, description: 'Hooks not called for a body over their bound (body.overflow: pass), per hook and phase.', unit: '{call}' }, times,
      [...(proxy.hookBodySkips ?? [])].map(([key, n]) => {
        const [hook, phase] = key.split('|');
        return [n, { [LABEL.hook]: hook!, [LABEL.phase]: phase! }] as const;
      })),
  ];
}
